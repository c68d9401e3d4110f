"""Messages to enterprises, experts and admins: e-mail through Django's
backend, text messages through ``dangjian.lib.sms``. Called after commit, from tasks."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail

from dangjian.lib.sms import SmsError, send_sms

logger = logging.getLogger(__name__)


def site_url(path: str) -> str:
    return getattr(settings, "SITE_URL", "").rstrip("/") + path


def enterprise_answered(question, first: bool = True) -> list[str]:
    """Tells the enterprise its question has an answer; returns the channels used."""
    link = site_url(question.get_absolute_url())
    heading = "已有答复" if first else "有新的补充答复"
    sent = []
    if question.email:
        send_mail(
            subject=f"您咨询的政策问题{heading}（{question.reference}）",
            message=(
                f"{question.contact_name}您好：\n\n"
                f"贵单位（{question.company_name}）咨询的问题{heading}：\n"
                f"{question.summary}\n\n"
                f"请打开以下链接查看答复并评价：\n{link}\n\n"
                "此链接是查看该问题的唯一凭证，请勿转发。\n"
            ),
            from_email=None,
            recipient_list=[question.email],
        )
        sent.append("email")
    try:
        send_sms(
            question.mobile,
            f"您咨询的政策问题（{question.reference}）{heading}，查看：{link}",
        )
        sent.append("sms")
    except SmsError:
        # The e-mail and the tracking page still carry the answer; the
        # operator sees the failure in the log.
        logger.exception("SMS to the enterprise of question %s failed", question.pk)
    return sent


def expert_assigned(question) -> bool:
    expert = question.expert
    if expert is None:
        return False
    email = expert.email or (expert.person.email if expert.person_id else "")
    if not email:
        return False
    send_mail(
        subject=f"新的企业政策咨询（{question.reference}）",
        message=(
            f"{expert.name}您好：\n\n{question.company_name}咨询：\n{question.summary}\n\n"
            f"请在 {question.due_at:%Y-%m-%d %H:%M} 前答复："
            f"{site_url('/experts/inbox/')}\n"
        ),
        from_email=None,
        recipient_list=[email],
    )
    return True


def escalated(question, emails: list[str]) -> bool:
    if not emails:
        return False
    who = question.expert.name if question.expert else "（未分派）"
    send_mail(
        subject=f"督办：企业政策咨询超时未答复（{question.reference}）",
        message=(
            f"{question.company_name}于 {question.submitted_at:%Y-%m-%d %H:%M} 提交的问题"
            f"已超过答复时限（{question.due_at:%Y-%m-%d %H:%M}），承办专员：{who}。\n\n"
            f"{question.summary}\n\n请督促答复或改派：{site_url('/admin/experts/questions/')}\n"
        ),
        from_email=None,
        recipient_list=emails,
    )
    return True
