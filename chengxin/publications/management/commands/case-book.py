from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from chengxin.campaigns.models import Campaign
from chengxin.core.errors import DomainError
from chengxin.portal.models import CaseKind
from chengxin.publications.pdf import PdfUnavailable, docx_to_pdf
from chengxin.publications.services import casebook_document


class Command(BaseCommand):
    help = (
        "Compile a campaign's published cases into a case book (案例汇编) as an editable Word document: cover, "
        "table of contents, the cases by kind and unit with their photos; with --pdf also printed by LibreOffice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int, required=True, help="year, e.g. 2020")
        parser.add_argument("--out", required=True, metavar="FILE.docx")
        parser.add_argument("--pdf", metavar="FILE.pdf", help="also the PDF (needs LibreOffice: libreoffice-writer)")
        parser.add_argument(
            "--kind", action="append", choices=CaseKind.values, default=[], help="a kind of case; repeat; none: all"
        )

    def handle(self, *args, campaign: int, out: str, pdf: str | None, kind: list[str], **options):
        found = Campaign.objects.filter(year=campaign).first()
        if found is None:
            raise CommandError(f"没有 {campaign} 年的活动；先运行 chengxin load-campaign {campaign}")
        try:
            data = casebook_document(campaign=found, kinds=kind)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self._write(Path(out), data)
        if pdf:
            try:
                printed = docx_to_pdf(data, name="casebook")
            except PdfUnavailable as exc:
                raise CommandError(f"{pdf}: 未生成 PDF（{exc}）；Word 文档已写入 {out}") from exc
            self._write(Path(pdf), printed)
        self.stdout.write(f"{out}: {found.title}案例汇编，{len(data):,} 字节" + (f"；{pdf}: PDF" if pdf else ""))

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        try:
            path.write_bytes(data)
        except OSError as exc:
            raise CommandError(f"{path}: 无法写入（{exc.strerror}）") from exc
