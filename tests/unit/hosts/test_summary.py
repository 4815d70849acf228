"""The release card (job summary): what a reader sees on success and on failure."""

from __future__ import annotations

from release_publisher.hosts.summary import (
    TRUNCATION_NOTE,
    fit_summary,
    md_code,
    md_text,
    render_summary,
)
from release_publisher.result import ReleaseResult
from release_publisher.secrets import Redactor

from .conftest import CHECKSUM, TOKEN


def table_rows(text: str, header: str) -> list[list[str]]:
    """The body rows of the Markdown table whose header row starts with ``header``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {header} "))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        cells = [cell.strip() for cell in line.strip("|").split(" | ")]
        rows.append(cells)
    return rows


def test_success_card(published: ReleaseResult) -> None:
    text = render_summary(published, result_file="/runner/_temp/release-publisher-result.json")

    assert text.startswith("## Marketplace release: com.example.hello 1.4.2\n")
    assert "| **Status** | **PUBLISHED** |" in text
    assert table_rows(text, "Artifact") == [
        [
            "server",
            "`art-111`",
            "120.6 KiB",
            f"`{CHECKSUM[:16]}`…",
            "key, version, checksum",
            "verified",
        ],
        ["data-center", "`art-222`", "-", f"`{'cd' * 8}`…", "key", "verified"],
    ]
    assert table_rows(text, "Image type") == [
        ["icon", "`icon.png`", "`img-1`", "144 x 144 px", "900 bytes"],
        ["screenshot", "`s1.png`", "`img-2`", "1840 x 900 px", "-"],
        ["screenshot", "`s2.png`", "`img-3`", "1840 x 900 px", "-"],
    ]
    assert table_rows(text, "Phase") == [["server", "12.3 s"], ["images", "2.0 s"]]
    assert "`/runner/_temp/release-publisher-result.json`" in text
    assert "What went wrong" not in text
    assert CHECKSUM not in text  # shortened


def test_failure_card_gives_cause_fix_and_what_was_uploaded(failed: ReleaseResult) -> None:
    text = render_summary(failed)
    assert "| **Status** | **FAILED** |" in text
    assert "| Exit code | 5 |" in text
    assert (
        "**Cause:** VerificationError (artifact `server`): Marketplace reports version "
        "1.4.1, the config says 1.4.2" in text
    )
    assert "**Fix:** build the artifact from the tagged commit" in text
    assert "Uploaded before the failure (kept by Marketplace): server = `art-111`" in text
    assert table_rows(text, "Artifact")[1] == ["data-center", "-", "-", "-", "no", "planned"]


def test_unknown_app_and_timeout_marker() -> None:
    text = render_summary(ReleaseResult(app_key=None, version=None, status="processing-timeout"))
    assert "(unknown app)" in text
    assert "**PROCESSING TIMEOUT**" in text


def test_markdown_and_html_in_values_render_literally(published: ReleaseResult) -> None:
    published.artifacts[0].name = "a|b <script>alert(1)</script> *x* [l](u)"
    published.images[0].file = "we|ird`name.png"
    text = render_summary(published)
    assert "<script>" not in text
    row = next(line for line in text.splitlines() if "alert" in line)
    # the cell stays one cell: every '|' inside it is escaped
    assert row.startswith("| a\\|b &lt;script&gt;alert\\(1\\)&lt;/script&gt; \\*x\\* ")
    assert "`` we\\|ird`name.png ``" in text


def test_secrets_are_redacted_before_escaping(failed: ReleaseResult) -> None:
    secret = "s3cr_t*with|marks"
    assert failed.error is not None
    failed.error.message = f"echoed {secret} and {TOKEN}"
    failed.error.hint = secret
    text = render_summary(failed, redact=Redactor([secret, TOKEN]).redact)
    assert "s3cr" not in text and TOKEN not in text
    assert "echoed \\*\\*\\* and \\*\\*\\*" in text


def test_long_messages_are_clipped(failed: ReleaseResult) -> None:
    assert failed.error is not None
    failed.error.message = "<html>" + "x" * 100_000
    assert len(render_summary(failed)) < 10_000


def test_fit_summary_cuts_at_a_line_and_says_so() -> None:
    text = "".join(f"line {n}\n" for n in range(1000))
    cut = fit_summary(text, 500)
    assert len(cut.encode()) <= 500
    assert cut.endswith(TRUNCATION_NOTE)
    assert cut.startswith("line 0\nline 1\n")
    assert fit_summary(text, 10**6) == text
    assert fit_summary(text, 5) == ""


def test_md_helpers() -> None:
    assert md_text("a\nb") == "a<br>b"
    assert md_code("x`y") == "`` x`y ``"
    assert md_code("plain") == "`plain`"
