"""Printable PDF and Excel exports of the archive and of assessment results.

The PDF uses ReportLab's built-in CID font STSong-Light, so Chinese prints
without shipping a font file.
"""

from __future__ import annotations

import io

from django.utils import timezone

from dangjian.lib.excel import ExcelWriter
from dangjian.study.archive import Archive

FONT = "STSong-Light"


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f}"


def _local(value, fmt="%Y-%m-%d %H:%M") -> str:
    return timezone.localtime(value).strftime(fmt) if value else ""


def archive_rows(archive: Archive) -> dict[str, tuple[list[str], list[list]]]:
    """The archive as titled tables, shared by the PDF and the workbook."""
    return {
        "学习计划": (
            ["计划", "截止日期", "已学", "应学", "完成率"],
            [
                [
                    p.plan.title,
                    p.plan.deadline.isoformat(),
                    p.done,
                    p.total,
                    f"{p.percent}%",
                ]
                for p in archive.plans
            ],
        ),
        "学习资料": (
            ["资料", "类型", "首次打开", "学习时长（分钟）", "学完时间"],
            [
                [
                    p.material.title,
                    p.material.get_kind_display(),
                    _local(p.first_opened_at),
                    _minutes(p.seconds),
                    _local(p.completed_at) or "未学完",
                ]
                for p in archive.studied
            ],
        ),
        "学习会": (
            ["学习会", "类型", "组织", "时间", "签到方式"],
            [
                [
                    a.session.title,
                    a.session.get_type_display(),
                    a.session.organisation.name,
                    _local(a.session.starts_at),
                    a.get_method_display(),
                ]
                for a in archive.attendances
            ],
        ),
        "答题": (
            ["试卷", "交卷时间", "得分", "满分", "得分率"],
            [
                [
                    str(a.template),
                    _local(a.submitted_at),
                    float(a.score or 0),
                    float(a.max_score),
                    f"{a.percent:.1f}%",
                ]
                for a in archive.attempts
            ],
        ),
        "积分": (
            ["日期", "规则", "说明", "积分"],
            [
                [e.day.isoformat(), e.rule.name, e.label, e.points]
                for e in archive.entries
            ],
        ),
        "心得体会": (
            ["写于", "标题", "内容"],
            [[_local(n.created_at), n.title, n.body] for n in archive.notes],
        ),
        "抽查": (
            ["抽查", "结果", "意见", "检查人", "检查时间"],
            [
                [
                    s.spot_check.title,
                    s.get_result_display(),
                    s.comment,
                    s.checked_by.get_full_name() if s.checked_by else "",
                    _local(s.checked_at),
                ]
                for s in archive.spot_checks
            ],
        ),
    }


def archive_title(archive: Archive) -> str:
    return f"{archive.person.get_full_name()} 学习档案（一人一册）"


def archive_summary(archive: Archive) -> list[tuple[str, str]]:
    return [
        ("姓名", archive.person.get_full_name()),
        ("所在党组织", "、".join(archive.organisations) or "—"),
        ("期间", f"{archive.start.isoformat()} 至 {archive.end.isoformat()}"),
        ("期间积分", str(archive.points_total)),
        ("学完资料", f"{archive.completed_count} 份"),
        ("学习时长", f"{_minutes(archive.studied_seconds)} 分钟"),
        ("参加学习会", f"{len(archive.attendances)} 次"),
        (
            "答题平均得分率",
            "—" if archive.quiz_average is None else f"{archive.quiz_average}%",
        ),
    ]


def archive_pdf(archive: Archive) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import (
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    title_style = ParagraphStyle("t", fontName=FONT, fontSize=18, leading=24)
    h_style = ParagraphStyle("h", fontName=FONT, fontSize=13, leading=18, spaceBefore=8)
    cell = ParagraphStyle("c", fontName=FONT, fontSize=9, leading=12, wordWrap="CJK")
    muted = ParagraphStyle("m", fontName=FONT, fontSize=9, textColor=colors.grey)

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=archive_title(archive),
        author="党建云",
    )

    def para(value, style=cell):
        return Paragraph(escape(str(value)).replace("\n", "<br/>"), style)

    story = [para(archive_title(archive), title_style), Spacer(1, 4 * mm)]
    summary = Table(
        [[para(k), para(v)] for k, v in archive_summary(archive)],
        colWidths=[35 * mm, 145 * mm],
    )
    summary.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.lightgrey)]))
    story.append(summary)
    width = A4[0] - 30 * mm
    for heading, (columns, rows) in archive_rows(archive).items():
        story.append(para(heading, h_style))
        if not rows:
            story.append(para("（无）", muted))
            continue
        table = Table(
            [[para(c) for c in columns]] + [[para(v) for v in row] for row in rows],
            colWidths=[width / len(columns)] * len(columns),
            repeatRows=1,
        )
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.3, colors.lightgrey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#fdecec")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(table)
    story.append(Spacer(1, 6 * mm))
    story.append(para(f"生成时间：{_local(timezone.now())}", muted))
    doc.build(story)
    return buffer.getvalue()


def _sheet(workbook, title, columns, rows):
    sheet = workbook.sheet(title, columns, widths=20)
    sheet.extend(rows)
    return sheet


def archive_xlsx(archive: Archive) -> bytes:
    workbook = ExcelWriter()
    summary = workbook.sheet("概况", widths=(18, 50))
    summary.append([archive_title(archive)])
    for key, value in archive_summary(archive):
        summary.append([key, value])
    for title, (columns, rows) in archive_rows(archive).items():
        _sheet(workbook, title, columns, rows)
    return workbook.to_bytes()


def assessment_xlsx(run, people, units) -> bytes:
    """``people``/``units``: PersonScore/UnitScore rows with person/unit loaded."""
    indicators = run.indicators
    labels = [i.get_kind_display() for i in indicators]
    workbook = ExcelWriter()
    _sheet(
        workbook,
        "单位排名",
        ["名次", "单位", "人数", "平均得分"] + [f"{x}（贡献）" for x in labels],
        [
            [u.rank, u.unit.name, u.members, float(u.average)]
            + [term["contribution"] for term in u.breakdown]
            for u in units
        ],
    )
    columns = ["名次", "姓名", "用户名", "单位", "总分"]
    for label in labels:
        columns += [f"{label}·数值", f"{label}·得分", f"{label}·贡献"]
    _sheet(
        workbook,
        "个人得分",
        columns,
        [
            [
                p.rank,
                p.person.get_full_name(),
                p.person.username,
                p.unit.name,
                float(p.total),
            ]
            + [
                x
                for term in p.breakdown
                for x in (term["value"], term["score"], term["contribution"])
            ]
            for p in people
        ],
    )
    notes = workbook.sheet("计算方法")
    notes.append(["方案", str(run.scheme), "年度", run.scheme.year])
    notes.append(["计算时间", _local(run.computed_at)])
    notes.append(["指标", "权重（%）", "满分所需"])
    for indicator in indicators:
        notes.append(
            [
                indicator.get_kind_display(),
                float(indicator.weight),
                float(indicator.target),
            ]
        )
    notes.append(
        [
            "说明",
            "总分 = Σ 权重 × 得分 ÷ 适用指标权重之和；未抽查或无学习计划的指标不计入",
        ]
    )
    return workbook.to_bytes()
