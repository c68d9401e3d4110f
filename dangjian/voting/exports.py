"""The results export (Excel): counted and voided votes, and the ledger digest."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from dangjian.lib.excel import ExcelWriter
from dangjian.voting.actions import void_summary
from dangjian.voting.chain import seal_all
from dangjian.voting.models import CAMPAIGN_TZ, Campaign, Ledger, Vote


def results_workbook(campaign: Campaign) -> bytes:
    seal_all(campaign.pk)
    ledger = Ledger.objects.get_or_create(campaign=campaign)[0]
    counts = {
        row["candidate_id"]: row
        for row in Vote.objects.filter(campaign=campaign)
        .values("candidate_id")
        .annotate(
            counted=Count("id", filter=Q(voided_at__isnull=True)),
            voided=Count("id", filter=Q(voided_at__isnull=False)),
        )
    }
    writer = ExcelWriter()
    sheet = writer.sheet("结果", widths=(6, 6, 12, 12, 30, 10, 10))
    sheet.heading([campaign.title], size=14)
    sheet.append(
        [
            "投票时间",
            f"{campaign.starts_at.astimezone(CAMPAIGN_TZ):%Y-%m-%d %H:%M} 至 "
            f"{campaign.ends_at.astimezone(CAMPAIGN_TZ):%Y-%m-%d %H:%M}",
        ]
    )
    sheet.append([])
    sheet.heading(["名次", "编号", "姓名", "分组", "所在组织", "有效票", "作废票"])
    rows = []
    for c in campaign.candidates.select_related("organisation"):
        row = counts.get(c.pk, {"counted": 0, "voided": 0})
        rows.append(
            [
                c.number,
                c.name,
                c.group,
                c.organisation.name if c.organisation else "",
                row["counted"],
                row["voided"],
            ]
        )
    rows.sort(key=lambda r: (-r[4], r[0]))
    for rank, row in enumerate(rows, 1):
        sheet.append([rank, *row])
    sheet.append([])
    sheet.append(
        ["合计", "", "", "", "", sum(r[4] for r in rows), sum(r[5] for r in rows)]
    )

    voids = writer.sheet("作废说明", ["作废原因", "票数"])
    for reason, n in void_summary(campaign.pk):
        voids.append([reason, n])

    chain = writer.sheet("账本摘要", ["项目", "值"], widths=(22, 70))
    chain.append(["账本记录数（含作废）", ledger.length])
    chain.append(["链头哈希", ledger.head_hash])
    chain.append(["最终摘要（公布）", ledger.final_digest or "尚未公布"])
    chain.append(
        ["最终记录数", ledger.final_length if ledger.final_length is not None else ""]
    )
    chain.append(
        [
            "导出时间",
            timezone.now().astimezone(CAMPAIGN_TZ).strftime("%Y-%m-%d %H:%M:%S"),
        ]
    )
    chain.append(
        ["核验方法", f"python manage.py verify_votes {campaign.pk} --digest <最终摘要>"]
    )
    return writer.to_bytes()
