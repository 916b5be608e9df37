"""办理进度: a family follows its own case with the number and code on its slip."""
