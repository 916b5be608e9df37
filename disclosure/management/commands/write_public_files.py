"""`manage.py write_public_files`: make the public folder what publication wrote again — after a
deployment to a new server, if the folder was lost, to undo an edit on disk, or to take out a file
that no publication wrote (nginx serves the folder as it is). Each published file is written again
to the bytes recorded when it was published; a file whose record the database no longer matches is
not written. Anything no publication wrote (a file, a symbolic link) is moved aside into the hidden
`.foreign` folder, kept for whoever looks into how it got there, out of every URL. Either is
reported, and the exit status is then 1: somebody must look."""
from django.core.management.base import BaseCommand, CommandError

from disclosure.files import SET_ASIDE, all_files_write


class Command(BaseCommand):
    help = ("按发布时记录的哈希重新写出已发布收支公示的公开页面和下载文件；与记录不符的不写；"
            "不是发布时写出的文件移到公开目录下的 .foreign 文件夹（不对外提供）。两者均报告，退出码为 1。")

    def handle(self, *args, **options):
        count, problems, set_aside = all_files_write()
        self.stdout.write(f"已写出 {count} 份公示的文件")
        for problem in problems:
            self.stderr.write(problem)
        for moved in set_aside:
            self.stderr.write(f"不是发布时写出的文件，已移出公开范围：{moved}")
        failures = []
        if problems:
            failures.append(f"有 {len(problems)} 个文件与发布时的记录不符，未重写")
        if set_aside:
            failures.append(f"公开文件目录中有 {len(set_aside)} 个不是发布时写出的文件，已移到 {SET_ASIDE} "
                            f"文件夹，请查明来源")
        if failures:
            raise CommandError("；".join(failures))
