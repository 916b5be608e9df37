"""The transparency log's public files: the latest checkpoint with its cosignatures, every leaf
(for checking the whole log offline), a proof for any leaf, and the verifier script itself. All of
it is public already (masked rows, published documents, file hashes); none of it is personal."""
import base64
from pathlib import Path

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_safe

from .models import LogLeaf
from .transparency.proofs import (checkpoint_of_size, inclusion_proof, latest_checkpoint, proof_checkpoint,
                                  public_note)

VERIFIER = Path(__file__).resolve().parent / "tlog.py"


def _text(body: str, *, filename: str | None = None, ctype: str = "text/plain") -> HttpResponse:
    response = HttpResponse(body, content_type=f"{ctype}; charset=utf-8")
    response["Cache-Control"] = "public, no-cache"
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def checkpoint(request):
    """The latest signed checkpoint with its witnesses' cosignatures (c2sp.org/tlog-checkpoint);
    `?size=N`: the checkpoint of N leaves (the verify page pairs it with the entries of that size)."""
    found = latest_checkpoint()
    asked = _size(request)
    if asked is not None:
        found = checkpoint_of_size(asked)
    if found is None:
        raise Http404("透明日志尚无这个检查点")
    return _text(public_note(found), filename="checkpoint")


def _size(request) -> int | None:
    asked = request.GET.get("size")
    if asked is None:
        return None
    if not asked.isascii() or not asked.isdigit() or len(asked) > 18:
        raise Http404("size 应为记录数（整数）")
    return int(asked)


def _leaf_lines(size: int):
    rows = LogLeaf.objects.filter(index__lt=size).order_by("index").values_list("data", flat=True)
    for data in rows.iterator(chunk_size=5000):
        yield base64.b64encode(data.encode("utf-8")) + b"\n"


@require_safe
def entries(request):
    """Every leaf of the latest checkpoint's tree, in order: one line each, the leaf's text in
    base64. With the checkpoint, the verifier recomputes the whole tree offline. `?size=N` gives the
    first N leaves (the size of a checkpoint already downloaded: a publication in between does not
    make the pair disagree); those never change, so they may be cached for good."""
    latest = latest_checkpoint()
    size = latest.size if latest else 0
    asked = _size(request)
    if asked is not None:
        if asked > size:
            raise Http404("没有这个大小的日志：size 不应超过最新检查点的记录数")
        size = asked
    response = StreamingHttpResponse(_leaf_lines(size), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="fund-log-{size}.entries"'
    response["Cache-Control"] = "public, max-age=31536000, immutable" if asked is not None else "public, no-cache"
    return response


@require_safe
def proof(request, index: int):
    """A self-contained proof (c2sp.org/tlog-proof) that leaf `index` is in the latest checkpoint
    the witnesses cosigned (or the latest, while the witnesses have not cosigned any holding it)."""
    checkpoint = proof_checkpoint(index)
    leaf = LogLeaf.objects.filter(index=index).first() if checkpoint else None
    if leaf is None:
        raise Http404("没有这条记录，或它尚未签入检查点")
    return _text(str(inclusion_proof(leaf, checkpoint)), filename=f"fund-log-{index}.tlog-proof")


@require_safe
def verifier(request):
    """The offline verifier: disclosure/tlog.py as it runs here (Python 3 and `cryptography`)."""
    return _text(VERIFIER.read_text(encoding="utf-8"), filename="fund_log_verify.py", ctype="text/x-python")
