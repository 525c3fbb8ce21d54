#!/usr/bin/env python3
"""Post a govscan run summary to a Telegram group through the Bot API (a notification hook).

govscan runs it after a scan with the run summary JSON on stdin (``[notify] command`` in
govscan.toml, or ``govscan scan --notify``). Standard library only. Settings from the
environment (a systemd ``EnvironmentFile=``, say ``/etc/govscan/telegram.env``):

    TELEGRAM_BOT_TOKEN       the bot's token (from @BotFather), or
    TELEGRAM_BOT_TOKEN_FILE  a file holding it (systemd credentials, a secret mount)
    TELEGRAM_CHAT_ID         the group's chat id (e.g. -1001234567890); the bot must be in it
    GOVSCAN_LANG             uz (default), ru or en: the language of the message
    GOVSCAN_REPORT_URL       where the working group reads the latest report (optional)
    TELEGRAM_API             the Bot API's address (default https://api.telegram.org; the
                             tests point it at a local stand-in)

Exit status: 0 sent, 1 the API refused or could not be reached, 2 missing settings.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request

MAX_LISTED = 20  # regressions named in the message; Telegram takes 4096 characters

TEXT = {
    "en": {
        "head": "govscan run {run}: {status}",
        "completed": "completed", "aborted": "aborted",
        "findings": "Findings: pass {pass_}, warn {warn}, fail {fail}, error {error}.",
        "since": "Since run {prev}: {worse} newly failing, {better} newly passing.",
        "regressions": "Regressions ({n}; failing {after} or more runs in a row):",
        "none": "No regressions.",
        "more": "… and {n} more",
        "report": "Report: {url}",
        "why": "Why: {reason}",
    },
    "uz": {
        "head": "govscan, {run}-tekshiruv: {status}",
        "completed": "yakunlandi", "aborted": "toʻxtatildi",
        "findings": "Natijalar: oʻtdi {pass_}, kamchilik bilan {warn}, oʻtmadi {fail}, "
                    "xato {error}.",
        "since": "{prev}-tekshiruvdan beri: {worse} tasi yomonlashdi, {better} tasi "
                 "yaxshilandi.",
        "regressions": "Yomonlashuvlar ({n}; ketma-ket kamida {after} marta oʻtmadi):",
        "none": "Yomonlashuv yoʻq.",
        "more": "… yana {n} ta",
        "report": "Hisobot: {url}",
        "why": "Sababi: {reason}",
    },
    "ru": {
        "head": "govscan, запуск {run}: {status}",
        "completed": "завершён", "aborted": "прерван",
        "findings": "Результаты: пройдено {pass_}, с замечаниями {warn}, не пройдено {fail}, "
                    "ошибок {error}.",
        "since": "С запуска {prev}: ухудшилось {worse}, улучшилось {better}.",
        "regressions": "Регрессии ({n}; не пройдено не менее {after} запусков подряд):",
        "none": "Регрессий нет.",
        "more": "… и ещё {n}",
        "report": "Отчёт: {url}",
        "why": "Причина: {reason}",
    },
}


def message(summary: dict, lang: str = "uz", report_url: str = "") -> str:
    """The message text for a run summary (``govscan.runner.summary_document``)."""
    t = TEXT.get(lang, TEXT["uz"])
    f = summary.get("findings") or {}
    lines = [t["head"].format(run=summary.get("run_id") or "-",
                              status=t.get(summary.get("status"), summary.get("status")))]
    if summary.get("status") != "completed":
        lines.append(t["why"].format(reason=summary.get("reason", "")))
    lines.append(t["findings"].format(pass_=f.get("pass", 0), warn=f.get("warn", 0),
                                      fail=f.get("fail", 0), error=f.get("error", 0)))
    ch = summary.get("changes") or {}
    if summary.get("previous_run") is not None:
        lines.append(t["since"].format(prev=summary["previous_run"],
                                       worse=ch.get("newly_failing", 0),
                                       better=ch.get("newly_passing", 0)))
    regs = summary.get("regressions") or []
    if regs:
        lines.append(t["regressions"].format(n=len(regs),
                                             after=summary.get("regressions_after", 2)))
        for r in regs[:MAX_LISTED]:
            name = f" ({r['name']})" if r.get("name") else ""
            lines.append(f"• {r['target_id']}{name}: {r['indicator']}")
        if len(regs) > MAX_LISTED:
            lines.append(t["more"].format(n=len(regs) - MAX_LISTED))
    elif summary.get("status") == "completed":
        lines.append(t["none"])
    if report_url:
        lines.append(t["report"].format(url=report_url))
    return "\n".join(lines)[:4000]


def main() -> int:
    token = os.environ.get("TELEGRAM_BOT_TOKEN", "").strip()
    if not token and os.environ.get("TELEGRAM_BOT_TOKEN_FILE"):
        with open(os.environ["TELEGRAM_BOT_TOKEN_FILE"], encoding="utf-8") as fh:
            token = fh.read().strip()
    chat = os.environ.get("TELEGRAM_CHAT_ID", "").strip()
    if not token or not chat:
        print("notify-telegram: set TELEGRAM_BOT_TOKEN (or _FILE) and TELEGRAM_CHAT_ID",
              file=sys.stderr)
        return 2
    summary = json.load(sys.stdin)
    text = message(summary, os.environ.get("GOVSCAN_LANG", "uz"),
                   os.environ.get("GOVSCAN_REPORT_URL", ""))
    api = os.environ.get("TELEGRAM_API", "https://api.telegram.org").rstrip("/")
    body = json.dumps({"chat_id": chat, "text": text,
                       "disable_web_page_preview": True}).encode("utf-8")
    req = urllib.request.Request(f"{api}/bot{token}/sendMessage", data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            answer = json.loads(resp.read() or b"{}")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        print(f"notify-telegram: the Bot API could not be reached: {exc}", file=sys.stderr)
        return 1
    if not answer.get("ok"):
        print(f"notify-telegram: the Bot API refused: {answer.get('description', answer)}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
