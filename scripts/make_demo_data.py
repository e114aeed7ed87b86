#!/usr/bin/env python3
"""Generate the bundled demo dataset ``core/data/demo_replies.json``.

The demo is one market (project management software) seen through DataForSEO's
LLM-responses ``task_get`` replies: ten prompts asked to Gemini, ChatGPT and Claude,
two models each, 60 tasks. Most are completed; a few are pending, expired, not found
or failed, each wrapped in the HTTP-200 envelope the API really sends.

The output is deterministic: a fixed ``random.Random(SEED)``, no network, no clock.
Running the script twice gives byte-identical files.

    python scripts/make_demo_data.py                 # writes core/data/demo_replies.json
    python scripts/make_demo_data.py --out /tmp/x.json

Dates: completed tasks are dated 2026-10-01..2026-11-20, except the older half of the
Gemini results, dated 2026-07-13..07-27: they predate the 2026-07-28 rollout of
``start_index``/``end_index``/``text`` (and the 2026-09-17 rollout of Gemini's
``direct_url``), so their annotations carry only ``title`` and ``url``, as real replies
of that age do.
"""
from __future__ import annotations

import argparse
import json
import random
import string
from datetime import datetime, timedelta, timezone
from pathlib import Path

SEED = 20261121
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "core" / "data" / "demo_replies.json"

# --------------------------------------------------------------------------- the market
MARKET = "project management software"
OUR_BRAND = "monday.com"
COMPETITORS = ["asana.com", "clickup.com", "trello.com", "notion.so", "wrike.com"]
BRAND_NAMES = {
    "monday.com": "monday.com", "asana.com": "Asana", "clickup.com": "ClickUp",
    "trello.com": "Trello", "notion.so": "Notion", "wrike.com": "Wrike",
    # Regional tools the answers mention too (not tracked as competitors).
    "awork.com": "awork", "backlog.com": "Backlog",
}

# Pages the answers cite: key -> (url, page title). Gemini shows the bare domain as title.
SOURCES = {
    "monday_work": ("https://monday.com/work-management", "Work management software | monday.com"),
    "monday_pricing": ("https://monday.com/pricing", "Pricing & Plans | monday.com"),
    "monday_marketing": ("https://monday.com/marketing", "Marketing management software | monday.com"),
    "monday_gantt": ("https://monday.com/features/gantt", "Gantt chart software | monday.com"),
    "monday_trust": ("https://monday.com/trustcenter", "Trust Center | monday.com"),
    "monday_de": ("https://monday.com/lang/de/projektmanagement", "Projektmanagement-Software | monday.com"),
    "monday_ja": ("https://monday.com/lang/ja/project-management",
                  "プロジェクト管理ソフトウェア | monday.com"),
    "asana_pricing": ("https://asana.com/pricing", "Pricing | Asana"),
    "asana_marketing": ("https://asana.com/uses/marketing-campaign-management",
                        "Marketing Campaign Management Software • Asana"),
    "asana_enterprise": ("https://asana.com/enterprise", "Asana for Enterprise • Asana"),
    "asana_ja": ("https://asana.com/ja/pricing", "料金プラン • Asana"),
    "clickup_pricing": ("https://clickup.com/pricing", "ClickUp Pricing"),
    "clickup_gantt": ("https://clickup.com/features/gantt-chart-view", "Gantt Chart Software | ClickUp"),
    "clickup_docs": ("https://clickup.com/features/docs", "ClickUp Docs | Create and share documents"),
    "trello_pricing": ("https://trello.com/pricing", "Trello pricing | Trello"),
    "trello_guide": ("https://trello.com/guide", "Trello 101: How to use Trello boards & cards | Trello"),
    "notion_pricing": ("https://www.notion.so/pricing", "Notion Plans & Pricing"),
    "notion_projects": ("https://www.notion.so/product/projects", "Notion Projects"),
    "wrike_pricing": ("https://www.wrike.com/price/", "Wrike Pricing & Plans"),
    "wrike_gantt": ("https://www.wrike.com/features/gantt-chart/", "Gantt Chart Software | Wrike"),
    "wrike_security": ("https://www.wrike.com/security/", "Wrike Security: Enterprise-grade protection"),
    "awork": ("https://www.awork.com/de", "awork – Projektmanagement für Agenturen"),
    "backlog": ("https://backlog.com/ja/", "Backlog | チームで使うプロジェクト管理・タスク管理ツール"),
    "g2_category": ("https://www.g2.com/categories/project-management",
                    "Best Project Management Software: User Reviews from 2026"),
    "g2_compare": ("https://www.g2.com/compare/asana-vs-monday-com",
                   "Compare Asana vs. monday Work Management | G2"),
    "g2_notion_clickup": ("https://www.g2.com/compare/clickup-vs-notion", "Compare ClickUp vs. Notion | G2"),
    "capterra_category": ("https://www.capterra.com/project-management-software/",
                          "Best Project Management Software 2026 | Capterra"),
    "capterra_free": ("https://www.capterra.com/project-management-software/s/free/",
                      "Best Free Project Management Software 2026 | Capterra"),
    "capterra_de": ("https://www.capterra.com.de/directory/30002/project-management/software",
                    "Projektmanagement Software 2026 | Capterra Deutschland"),
    "forbes_best": ("https://www.forbes.com/advisor/business/software/best-project-management-software/",
                    "Best Project Management Software Of 2026 – Forbes Advisor"),
    "forbes_free": ("https://www.forbes.com/advisor/business/software/best-free-project-management-software/",
                    "Best Free Project Management Software Of 2026 – Forbes Advisor"),
    "pcmag_best": ("https://www.pcmag.com/picks/the-best-project-management-software",
                   "The Best Project Management Software for 2026 | PCMag"),
    "techradar_best": ("https://www.techradar.com/best/best-project-management-software",
                       "Best project management software of 2026 | TechRadar"),
    "zapier_best": ("https://zapier.com/blog/best-project-management-software/",
                    "The best project management software in 2026 | Zapier"),
    "zapier_vs": ("https://zapier.com/blog/asana-vs-monday/", "Asana vs. monday.com: Which is best? [2026] | Zapier"),
    "reddit_pm": ("https://www.reddit.com/r/projectmanagement/comments/1g7k2qx/what_pm_tool_does_your_small_team_use/",
                  "What PM tool does your small team actually use? : r/projectmanagement"),
    "reddit_agency": ("https://www.reddit.com/r/agency/comments/1fz3m8b/asana_or_monday_for_a_15_person_agency/",
                      "Asana or Monday for a 15 person agency? : r/agency"),
    "reddit_trello": ("https://www.reddit.com/r/productivity/comments/1h2c9rd/"
                      "is_trello_still_worth_it_for_personal_use/",
                      "Is Trello still worth it for personal use? : r/productivity"),
    "wikipedia_comparison": ("https://en.wikipedia.org/wiki/Comparison_of_project_management_software",
                             "Comparison of project management software - Wikipedia"),
    "wikipedia_kanban": ("https://en.wikipedia.org/wiki/Kanban_board", "Kanban board - Wikipedia"),
    "bbc_remote": ("https://www.bbc.co.uk/news/articles/c4gq2w8l1vro",
                   "Hybrid working: what the data says about how we work now - BBC News"),
    "gartner_cwm": ("https://www.gartner.com/reviews/market/collaborative-work-management",
                    "Best Collaborative Work Management Reviews 2026 | Gartner Peer Insights"),
    "atlassian_trello": ("https://www.atlassian.com/software/trello", "Trello | Atlassian"),
    "atlassian_gantt": ("https://www.atlassian.com/agile/project-management/gantt-chart",
                        "What is a Gantt chart? | Atlassian"),
    "ms_planner": ("https://support.microsoft.com/en-us/office/getting-started-with-microsoft-planner-"
                   "8a1d4b3c-2f6e-4c5a-9d41-7b0e3f2a6c15",
                   "Getting started with Microsoft Planner - Microsoft Support"),
    "omr_pm": ("https://omr.com/de/reviews/category/projektmanagement",
               "Die besten Projektmanagement Tools 2026 | OMR Reviews"),
    "t3n_pm": ("https://t3n.de/news/projektmanagement-tools-agenturen-vergleich-1648213/",
               "Projektmanagement-Tools für Agenturen im Vergleich | t3n"),
    "itreview_pm": ("https://www.itreview.jp/categories/project_management",
                    "プロジェクト管理ツールの製品一覧・比較 | ITreview"),
    "boxil_pm": ("https://boxil.jp/mag/a3572/", "【2026年最新】プロジェクト管理ツールおすすめ比較 | BOXIL Magazine"),
}

# What each answer says about a brand: lang -> brand -> [(angles, sentence, source keys)].
FACTS = {
    "en": {
        "monday.com": [
            ({"general", "smb", "remote"},
             "Its colorful, spreadsheet-like boards make it one of the easiest tools to roll out to non-technical "
             "teams, with more than 200 ready-made templates.",
             ["monday_work", "g2_category", "capterra_category"]),
            ({"free"},
             "The free plan is limited to 2 seats and 3 boards, so it is more of a trial than a team plan; paid plans "
             "start at about $9 per seat per month with a 3-seat minimum.",
             ["monday_pricing", "forbes_free"]),
            ({"agency"},
             "Agencies like its client-facing dashboards, guest access and built-in time tracking on the Pro plan, "
             "which make retainers and billable hours easier to report.",
             ["monday_marketing", "reddit_agency", "zapier_vs"]),
            ({"gantt"},
             "Gantt and timeline views come with the Standard plan, while time tracking and formula columns require "
             "Pro.",
             ["monday_gantt", "pcmag_best"]),
            ({"smb", "remote"},
             "No-code automations and Slack, Teams and Zoom integrations cut down on status meetings for distributed "
             "teams.",
             ["monday_work", "techradar_best"]),
            ({"enterprise"},
             "The Enterprise tier adds SAML SSO, audit logs, HIPAA support and data residency in the EU and Australia.",
             ["monday_trust", "gartner_cwm"]),
        ],
        "asana.com": [
            ({"general", "smb", "enterprise"},
             "Asana is strongest at structured work: dependencies, portfolios and goals tie everyday tasks to company "
             "objectives.",
             ["g2_category", "pcmag_best", "asana_pricing"]),
            ({"smb", "free"},
             "The Personal plan is free for up to 10 users with unlimited tasks, but timelines, reporting and custom "
             "fields need Starter (about $10.99 per user per month, billed annually).",
             ["asana_pricing", "capterra_free"]),
            ({"agency"},
             "Its campaign templates, proofing and approval workflows suit marketing work, although guest access for "
             "clients is more restricted than monday.com's.",
             ["asana_marketing", "zapier_vs", "g2_compare"]),
            ({"gantt"},
             "The Timeline view covers Gantt-style planning, but native time tracking is only available on the "
             "Advanced plan and above.",
             ["asana_pricing", "techradar_best"]),
            ({"remote"},
             "Remote teams rely on its inbox, status updates and AI summaries to keep async work moving across time "
             "zones.",
             ["asana_pricing", "zapier_best"]),
            ({"enterprise"},
             "Enterprise+ adds data residency, HIPAA compliance and audit-log APIs, and Asana is a Leader in Gartner "
             "Peer Insights for collaborative work management.",
             ["asana_enterprise", "gartner_cwm"]),
        ],
        "clickup.com": [
            ({"general", "smb", "docs"},
             "ClickUp packs tasks, docs, whiteboards, chat and goals into one app; it is powerful but has a steeper "
             "learning curve than most.",
             ["g2_category", "pcmag_best", "zapier_best"]),
            ({"free"},
             "Its Free Forever plan has unlimited members and tasks, but only 100MB of storage and limited uses of "
             "Gantt and dashboard views.",
             ["clickup_pricing", "forbes_free"]),
            ({"gantt"},
             "Gantt charts, native time tracking and workload views are all included from the Unlimited plan, at "
             "about $7 per user per month billed annually.",
             ["clickup_gantt", "clickup_pricing"]),
            ({"docs"},
             "ClickUp Docs sit next to tasks, so a spec can be turned into assigned work items in one click.",
             ["clickup_docs", "g2_notion_clickup"]),
            ({"agency"},
             "Agencies use its client guests and time tracking, although many teams report that a clean setup takes "
             "several weeks.",
             ["reddit_agency", "clickup_pricing"]),
            ({"enterprise"},
             "Its Enterprise plan offers SSO, HIPAA and data residency, but admins say governance at scale still "
             "needs careful setup.",
             ["gartner_cwm"]),
        ],
        "trello.com": [
            ({"general", "smb", "personal"},
             "Trello is still the simplest kanban tool: boards, lists and cards that take minutes to learn.",
             ["trello_guide", "atlassian_trello", "wikipedia_kanban"]),
            ({"free"},
             "The free plan allows unlimited cards and up to 10 boards per workspace, with unlimited Power-Ups.",
             ["trello_pricing", "capterra_free"]),
            ({"personal"},
             "Its Inbox and Planner pull in emails, Slack messages and calendar events, which makes it a capable "
             "personal organizer.",
             ["trello_guide", "reddit_trello"]),
            ({"gantt"},
             "Timeline and calendar views require Premium, and there is no native time tracking without Power-Ups.",
             ["trello_pricing", "atlassian_gantt"]),
            ({"smb", "remote"},
             "As part of Atlassian it connects smoothly to Jira and Confluence when a team outgrows simple boards.",
             ["atlassian_trello"]),
        ],
        "notion.so": [
            ({"general", "smb", "docs"},
             "Notion combines wiki pages, databases and projects, which makes it ideal when documentation matters as "
             "much as tasks.",
             ["notion_projects", "g2_notion_clickup"]),
            ({"free", "personal"},
             "The Free plan is generous for individuals, but block-history and guest limits kick in quickly for teams.",
             ["notion_pricing", "forbes_free"]),
            ({"docs"},
             "Notion AI can draft specs, summarize meeting notes and answer questions across the whole workspace.",
             ["notion_pricing"]),
            ({"remote", "personal"},
             "Many remote teams use it as their single source of truth, with projects and sprints layered on top of "
             "their docs.",
             ["notion_projects", "reddit_pm"]),
            ({"gantt"},
             "Timeline views exist, but dependencies and resource planning are basic compared with dedicated PM tools.",
             ["notion_projects", "pcmag_best"]),
        ],
        "wrike.com": [
            ({"general", "enterprise"},
             "Wrike is built for complex, cross-department portfolios, with enterprise-grade security, custom item "
             "types and approval flows.",
             ["wrike_security", "gartner_cwm"]),
            ({"gantt"},
             "Its interactive Gantt charts with critical path and built-in time tracking are among the most capable "
             "in the category.",
             ["wrike_gantt", "pcmag_best"]),
            ({"agency", "remote"},
             "Proofing, request forms and cross-tagging make it a frequent pick for larger creative teams and "
             "agencies.",
             ["wrike_pricing", "techradar_best"]),
            ({"smb", "free"},
             "The free plan supports unlimited users but only basic task management; most features start with Team at "
             "about $10 per user per month.",
             ["wrike_pricing", "capterra_free"]),
        ],
    },
    "de": {
        "monday.com": [
            ({"general", "agency"},
             "monday.com punktet bei Agenturen mit übersichtlichen Boards, Zeiterfassung und Gastzugängen für Kunden; "
             "die Daten können in der EU gehostet werden.",
             ["monday_de", "omr_pm"]),
            ({"agency"},
             "Dank vieler Vorlagen und Automationen ist das Tool auch für Teams ohne Projektmanagement-Erfahrung "
             "schnell eingerichtet.",
             ["capterra_de", "monday_de"]),
        ],
        "asana.com": [
            ({"general", "agency"},
             "Asana eignet sich für strukturierte Kampagnenplanung mit Abhängigkeiten, Zielen und Freigabeprozessen.",
             ["asana_marketing", "capterra_de"]),
            ({"agency"},
             "Für Kundenzugänge und Zeiterfassung braucht man bei Asana allerdings höhere Tarife oder Integrationen.",
             ["t3n_pm"]),
        ],
        "clickup.com": [
            ({"general", "agency"},
             "ClickUp bietet sehr viele Funktionen zu einem niedrigen Preis, die Einarbeitung dauert aber spürbar "
             "länger.",
             ["clickup_pricing", "omr_pm"]),
        ],
        "wrike.com": [
            ({"general", "agency"},
             "Wrike ist bei größeren Agenturen beliebt, vor allem wegen der Korrekturschleifen (Proofing) und der "
             "Ressourcenplanung.",
             ["wrike_pricing", "t3n_pm"]),
        ],
        "trello.com": [
            ({"general", "agency"},
             "Trello reicht für kleine Teams mit einfachen Kanban-Abläufen, stößt bei Budgets und Zeiterfassung aber "
             "an Grenzen.",
             ["trello_pricing", "t3n_pm"]),
        ],
        "notion.so": [
            ({"general", "agency"},
             "Notion eignet sich gut als Wissensdatenbank der Agentur, weniger als vollwertiges "
             "Projektmanagement-Tool.",
             ["notion_projects", "omr_pm"]),
        ],
        "awork.com": [
            ({"general", "agency"},
             "awork aus Hamburg ist speziell für Agenturen gebaut, mit Zeiterfassung, Auslastungsplanung und Hosting "
             "in Deutschland.",
             ["awork", "omr_pm"]),
        ],
    },
    "ja": {
        "monday.com": [
            ({"general", "smb"},
             "monday.comは直感的なボード画面と豊富なテンプレートが特徴で、日本語表示にも対応しています。",
             ["monday_ja", "itreview_pm"]),
        ],
        "asana.com": [
            ({"general", "smb"},
             "Asanaはタスクの依存関係や目標管理に強く、無料プランでも最大10人まで利用できます。",
             ["asana_ja", "boxil_pm"]),
        ],
        "trello.com": [
            ({"general", "smb"},
             "Trelloはカンバン方式でシンプルに使えるため、ITツールに慣れていないメンバーが多い会社でも定着しやすいです。",
             ["trello_pricing", "boxil_pm"]),
        ],
        "clickup.com": [
            ({"general", "smb"},
             "ClickUpは多機能で価格も手頃ですが、日本語の情報がまだ少なく、設定に時間がかかる点に注意が必要です。",
             ["clickup_pricing", "itreview_pm"]),
        ],
        "notion.so": [
            ({"general", "smb"},
             "Notionは社内Wikiとタスク管理を一つにまとめられ、ドキュメント文化のある企業に向いています。",
             ["notion_pricing", "itreview_pm"]),
        ],
        "backlog.com": [
            ({"general", "smb"},
             "BacklogはNulab社の国産ツールで、ガントチャートや課題管理が日本語で使いやすく、中小企業での導入実績が豊富です。",
             ["backlog", "boxil_pm"]),
        ],
    },
}

# The prompts. kind "list" ranks tools; "versus" compares the two `focus` brands.
# intros: variants, each a list of (text, source keys or None). verdicts: {a}/{b} = first two tools.
PROMPTS = [
    {
        "prompt": "best project management software for small teams", "lang": "en", "kind": "list", "angle": "smb",
        "weights": {"monday.com": 0.8, "asana.com": 0.9, "clickup.com": 0.8, "trello.com": 0.7, "notion.so": 0.5,
                    "wrike.com": 0.2},
        "intros": [
            [("The best tool for a small team is the one people will actually use every day, so ease of setup and a "
              "fair per-seat price matter more than enterprise features.", None),
             (" ", None),
             ("Review sites such as G2 and Capterra consistently rank the following tools highest among teams of 2 to "
              "50 people.", ["g2_category", "capterra_category"])],
            [("For small teams (roughly 3–25 people), these tools offer the best balance of simplicity, collaboration "
              "features and price in 2026.", ["forbes_best", "techradar_best", "zapier_best"])],
        ],
        "heading": "Top picks for small teams",
        "tip": [("If your team already pays for Microsoft 365, Microsoft Planner is included at no extra cost and "
                 "covers basic boards and due dates.", ["ms_planner"])],
        "verdicts": [
            "Pick **{a}** if you want a tool most teams pick up quickly; **{b}** is a strong runner-up. Most of these "
            "tools offer a free plan or a 14-day trial, so test two of them with a real project before you commit.",
        ],
        "fan_out": ["best project management software for small teams", "best project management tools small team 2026",
                    "project management software small business reviews",
                    "easiest project management tool for small teams",
                    "project management software pricing per user 2026", "monday.com vs asana vs clickup small team",
                    "free project management software for small teams",
                    "project management tool with slack integration", "g2 best project management software",
                    "trello vs asana for small teams", "simple project management app for 10 people",
                    "project management software small team reddit"],
    },
    {
        "prompt": "asana vs monday for marketing agencies", "lang": "en", "kind": "versus", "angle": "agency",
        "focus": ["asana.com", "monday.com"],
        "weights": {"clickup.com": 0.5, "wrike.com": 0.6, "notion.so": 0.1},
        "intros": [
            [("Both Asana and monday.com are strong choices for marketing agencies, but they suit different ways of "
              "working: Asana is more structured, monday.com is more visual and client-friendly.",
              ["zapier_vs", "g2_compare"])],
            [("Asana and monday.com are the two tools agencies shortlist most often.", None),
             (" ", None),
             ("On G2 they score almost identically for ease of use, with monday.com slightly ahead on ease of setup "
              "and Asana ahead on workflow depth.", ["g2_compare"])],
        ],
        "heading": "Side by side for agencies",
        "verdicts": [
            "Choose **monday.com** if you want client-facing dashboards, visual boards and quick onboarding for "
            "account managers; choose **Asana** if your agency runs complex, dependency-heavy campaigns.",
            "For most agencies **Asana** is the safer long-term bet for campaign operations, while **monday.com** wins "
            "when clients need to see progress themselves.",
        ],
        "fan_out": ["asana vs monday for marketing agencies", "asana vs monday.com agency comparison 2026",
                    "monday.com for agencies client access", "asana marketing agency templates",
                    "asana vs monday pricing per seat", "asana vs monday time tracking",
                    "best project management software for marketing agencies", "monday.com guest access clients",
                    "asana proofing approvals agency", "asana vs monday reddit agency",
                    "asana vs monday integrations hubspot"],
    },
    {
        "prompt": "which project management tool has the best free plan", "lang": "en", "kind": "list", "angle": "free",
        "weights": {"clickup.com": 0.95, "trello.com": 0.9, "asana.com": 0.85, "notion.so": 0.7, "monday.com": 0.35,
                    "wrike.com": 0.4},
        "intros": [
            [("Free plans vary widely: some cap the number of users, others cap storage or views.", None),
             (" ", None),
             ("For most teams, ClickUp and Trello offer the most usable free tiers in 2026, with Asana close behind "
              "for teams of up to 10.", ["forbes_free", "capterra_free"])],
            [("Here is how the most popular free plans compare on users, storage and the features you actually get.",
              ["capterra_free"])],
        ],
        "heading": "Best free plans compared",
        "tip": [("Watch for limits that only show up later: storage caps, restricted views such as Gantt or timeline, "
                 "and monthly automation quotas.", ["zapier_best"])],
        "verdicts": [
            "For most teams **{a}** has the most generous free plan, with **{b}** a close second; check the limits "
            "above against your team size before you settle.",
        ],
        "fan_out": ["best free project management tool", "project management software best free plan 2026",
                    "free project management software unlimited users", "clickup free plan limits",
                    "trello free plan limits 2026", "asana free plan users limit", "monday.com free plan seats",
                    "notion free plan team limits", "free project management software comparison",
                    "best free kanban app", "wrike free plan features", "free gantt chart software"],
    },
    {
        "prompt": "clickup alternatives for remote teams", "lang": "en", "kind": "list", "angle": "remote",
        "weights": {"asana.com": 0.9, "monday.com": 0.6, "notion.so": 0.8, "wrike.com": 0.5, "trello.com": 0.5},
        "intros": [
            [("ClickUp is powerful, but many remote teams find it cluttered and slow to set up.", ["reddit_pm"]),
             (" ", None),
             ("With most knowledge workers now hybrid or fully remote, async features such as status updates, comments "
              "and chat integrations matter most.", ["bbc_remote"])],
            [("If ClickUp feels like too much, these alternatives are easier to roll out across time zones while still "
              "covering tasks, docs and reporting.", ["zapier_best", "g2_category"])],
        ],
        "heading": "Best ClickUp alternatives for remote teams",
        "verdicts": [
            "For a distributed team that wants something clean and async-friendly, start with **{a}**; **{b}** is the "
            "strongest runner-up and worth a side-by-side trial.",
        ],
        "fan_out": ["clickup alternatives for remote teams", "best clickup alternatives 2026",
                    "project management tools for remote teams", "clickup alternative simpler",
                    "async project management software", "remote team collaboration tools 2026",
                    "clickup vs asana remote team", "clickup vs monday.com", "clickup too complicated reddit",
                    "remote work statistics 2026", "project management software slack integration"],
    },
    {
        "prompt": "project management software with gantt charts and time tracking", "lang": "en", "kind": "list",
        "angle": "gantt",
        "weights": {"wrike.com": 0.9, "clickup.com": 0.9, "monday.com": 0.7, "asana.com": 0.5, "trello.com": 0.2,
                    "notion.so": 0.15},
        "intros": [
            [("If Gantt charts and time tracking are must-haves, focus on tools that include both natively rather than "
              "through add-ons.", None),
             (" ", None),
             ("Gantt charts remain the standard way to visualise schedules, dependencies and the critical path.",
              ["atlassian_gantt", "wikipedia_comparison"])],
            [("These tools offer native Gantt charts and built-in time tracking, so you don't need a separate "
              "timesheet app.", ["pcmag_best", "capterra_category"])],
        ],
        "heading": "Tools with native Gantt charts and time tracking",
        "verdicts": [
            "For complex schedules with dependencies, **{a}** is the strongest option; **{b}** is a good alternative "
            "if you want both features at a lower price.",
        ],
        "fan_out": ["project management software with gantt charts and time tracking",
                    "gantt chart software with time tracking", "best gantt chart project management tools 2026",
                    "wrike gantt chart critical path", "clickup time tracking gantt", "monday.com time tracking plan",
                    "project management software billable hours", "gantt chart software pricing",
                    "asana timeline vs gantt", "gantt chart software reviews"],
    },
    {
        "prompt": "is trello still good for personal task management in 2026", "lang": "en", "kind": "list",
        "angle": "personal", "focus": ["trello.com"],
        "weights": {"notion.so": 0.8, "clickup.com": 0.4, "asana.com": 0.35, "monday.com": 0.05},
        "intros": [
            [("Yes — Trello is still one of the best options for personal task management, especially if you like "
              "visual kanban boards.", ["reddit_trello", "atlassian_trello"])],
            [("Trello remains a solid choice for personal use in 2026, though some users have moved to alternatives "
              "after changes to the free plan.", ["trello_pricing", "reddit_trello"])],
        ],
        "heading": "Trello and the alternatives people switch to",
        "verdicts": [
            "If you want a simple visual board, **{a}** is still hard to beat. If you want something more flexible, "
            "**{b}** is the most common next step.",
        ],
        "fan_out": ["is trello still good 2026", "trello personal task management", "trello free plan changes",
                    "trello inbox planner review", "trello alternatives personal use", "trello vs notion personal",
                    "best personal task manager 2026", "trello review 2026", "kanban app for personal productivity"],
    },
    {
        "prompt": "notion vs clickup for startup documentation and tasks", "lang": "en", "kind": "versus",
        "angle": "docs", "focus": ["notion.so", "clickup.com"],
        "weights": {"asana.com": 0.3, "monday.com": 0.15, "trello.com": 0.1},
        "intros": [
            [("Notion and ClickUp overlap more every year, but they start from different places: Notion is a "
              "docs-first workspace, ClickUp is a tasks-first platform.", ["g2_notion_clickup", "zapier_best"])],
            [("For an early-stage startup, the choice comes down to whether documentation or execution is your bigger "
              "pain point.", None)],
        ],
        "heading": "Notion vs ClickUp",
        "verdicts": [
            "Pick **Notion** if your startup lives in docs, wikis and specs; pick **ClickUp** if you need sprints, "
            "time tracking and dashboards from day one.",
            "For most startups under 20 people, **Notion** is the simpler start; move to **ClickUp** when delivery "
            "tracking becomes the bottleneck.",
        ],
        "fan_out": ["notion vs clickup for startups", "notion vs clickup documentation", "clickup docs vs notion",
                    "notion projects sprints", "clickup vs notion pricing 2026", "notion ai vs clickup ai",
                    "startup wiki and task management tool", "notion vs clickup reddit",
                    "best tool for startup documentation"],
    },
    {
        "prompt": "enterprise work management platform with soc 2 and sso", "lang": "en", "kind": "list",
        "angle": "enterprise",
        "weights": {"wrike.com": 0.9, "monday.com": 0.8, "asana.com": 0.85, "clickup.com": 0.4},
        "intros": [
            [("All major work management platforms now offer SOC 2 Type II reports and SAML SSO on their enterprise "
              "tiers, so the real differences lie in admin controls, data residency and scale.", ["gartner_cwm"])],
            [("Enterprise security reviews usually focus on SSO and SCIM provisioning, audit logs, data residency and "
              "certifications such as SOC 2 and ISO 27001.", ["gartner_cwm", "wikipedia_comparison"])],
        ],
        "heading": "Enterprise-ready platforms",
        "tip": [("If you are standardised on Microsoft 365, check whether Planner already meets your needs before "
                 "adding another vendor.", ["ms_planner"])],
        "verdicts": [
            "For large, cross-department portfolios **{a}** is the most common choice; **{b}** is easier to adopt for "
            "business teams outside IT.",
        ],
        "fan_out": ["enterprise work management platform soc 2 sso", "work management software saml sso scim",
                    "monday.com enterprise security soc 2", "asana enterprise data residency",
                    "wrike security iso 27001", "gartner collaborative work management 2026",
                    "enterprise project management software comparison", "work management platform hipaa",
                    "clickup enterprise sso"],
    },
    {
        "prompt": "beste projektmanagement software für agenturen", "lang": "de", "kind": "list", "angle": "agency",
        "weights": {"monday.com": 0.85, "asana.com": 0.7, "clickup.com": 0.6, "wrike.com": 0.6, "awork.com": 0.75,
                    "trello.com": 0.3, "notion.so": 0.2},
        "intros": [
            [("Für Agenturen zählen vor allem Zeiterfassung, Kundenfreigaben, Ressourcenplanung und eine "
              "DSGVO-konforme Datenhaltung.", ["omr_pm", "t3n_pm"])],
            [("Die folgenden Tools werden von Agenturen im deutschsprachigen Raum am häufigsten eingesetzt und in "
              "Bewertungsportalen gut bewertet.", ["capterra_de", "omr_pm"])],
        ],
        "heading": "Die besten Tools für Agenturen",
        "verdicts": [
            "Für die meisten Agenturen ist **{a}** ein guter Startpunkt; wer mehr Struktur und Ressourcenplanung "
            "braucht, sollte **{b}** testen. Fast alle Anbieter bieten eine kostenlose Testphase an.",
        ],
        "fan_out": ["beste projektmanagement software für agenturen", "projektmanagement tool agentur 2026",
                    "agentur software zeiterfassung projektmanagement", "monday.com agentur erfahrungen",
                    "asana vs monday agentur", "awork vs monday.com", "projektmanagement software dsgvo",
                    "projektmanagement tools vergleich", "omr reviews projektmanagement"],
    },
    {
        "prompt": "中小企業におすすめのプロジェクト管理ツール", "lang": "ja", "kind": "list", "angle": "smb",
        "weights": {"backlog.com": 0.9, "monday.com": 0.6, "asana.com": 0.7, "trello.com": 0.8, "clickup.com": 0.3,
                    "notion.so": 0.5},
        "intros": [
            [("中小企業がプロジェクト管理ツールを選ぶ際は、使いやすさ、料金、日本語サポートの3点が特に重要です。", ["boxil_pm", "itreview_pm"])],
            [("ここでは、中小企業での導入実績が多く、無料または低価格で始められるツールを紹介します。", ["itreview_pm"])],
        ],
        "heading": "おすすめツール",
        "verdicts": [
            "まずは**{a}**の無料プランで試し、より細かな進捗管理が必要になったら**{b}**も検討すると良いでしょう。",
        ],
        "fan_out": ["中小企業 プロジェクト管理ツール おすすめ", "プロジェクト管理ツール 比較 2026", "プロジェクト管理ツール 無料", "Backlog 評判", "monday.com 日本語 評判",
                    "Asana 料金 日本", "Trello 使い方 中小企業", "タスク管理ツール 中小企業 導入事例", "プロジェクト管理ツール ガントチャート"],
    },
]

LABELS = {
    "en": {"verdict": "Bottom line", "also": "Also worth a look", "choose": "How to choose",
           "follow_up": "If you tell me your team size, budget and the tools you already use, I can narrow this down "
                        "to a single recommendation."},
    "de": {"verdict": "Fazit", "also": "Ebenfalls einen Blick wert", "choose": "Worauf Agenturen achten sollten",
           "follow_up": "Wenn du mir Teamgröße, Budget und eure bestehenden Tools nennst, kann ich die Auswahl weiter "
                        "eingrenzen."},
    "ja": {"verdict": "まとめ", "also": "その他の候補", "choose": "選び方のポイント",
           "follow_up": "チームの人数や予算、現在お使いのツールを教えていただければ、さらに絞り込んだ提案ができます。"},
}

# Buying criteria an answer may add before its verdict: lang -> [(bullet, source keys or None)].
# ONLY_FOR limits the bullets starting with a label to prompts of some angles.
CHOOSE = {
    "en": [
        ("**Team size and budget:** per-seat pricing adds up quickly, and several vendors sell seats only in bundles "
         "of 3 or 5.", ["capterra_category"]),
        ("**Views you need:** check that kanban, Gantt, calendar and workload views are on the plan you will actually "
         "buy.", None),
        ("**Integrations:** make sure it connects to what you already use, such as Slack, Google Workspace, Microsoft "
         "Teams or HubSpot.", ["zapier_best"]),
        ("**Learning curve:** a simpler tool the whole team adopts beats a powerful one only the project manager "
         "opens.", ["reddit_pm"]),
        ("**Reporting:** dashboards and time reports matter as soon as you bill clients or report to leadership.",
         None),
        ("**Security and admin:** SSO, permissions and data residency become important once IT gets involved.",
         ["gartner_cwm"]),
        ("**Async habits:** hybrid work is now the norm for many office workers, so favour a tool that keeps work "
         "moving without extra meetings.", ["bbc_remote"]),
    ],
    "de": [
        ("**Zeiterfassung:** Lassen sich Stunden direkt auf Aufgaben buchen und für die Abrechnung exportieren?",
         ["omr_pm"]),
        ("**Kundenzugang:** Können Kunden Entwürfe freigeben, ohne eine volle Lizenz zu benötigen?", None),
        ("**Datenschutz:** Gibt es einen Auftragsverarbeitungsvertrag und Hosting in der EU?", ["t3n_pm"]),
        ("**Preis pro Nutzer:** Viele Anbieter verkaufen Lizenzen nur in Paketen, was mit Freelancern teuer werden "
         "kann.", ["capterra_de"]),
    ],
    "ja": [
        ("**料金体系:** ユーザー数に応じた課金が多いため、将来の人数も考えて比較しましょう。", ["boxil_pm"]),
        ("**日本語対応:** 画面やサポートが日本語に対応しているかは、定着率に大きく影響します。", ["itreview_pm"]),
        ("**使いやすさ:** ITに詳しくないメンバーでも迷わず使えるか、無料トライアルで確認しましょう。", None),
        ("**外部連携:** SlackやChatwork、Googleカレンダーと連携できるかも確認しておきたいポイントです。", None),
    ],
}

ONLY_FOR = {"**Security and admin:**": {"enterprise", "agency", "smb"}, "**Async habits:**": {"remote", "smb"}}

# Which other facts fit next to a prompt's angle when an answer says a second thing about a tool.
RELATED = {
    "smb": {"general", "free", "remote"}, "agency": {"general", "gantt", "remote"}, "free": {"smb", "personal"},
    "remote": {"general", "smb", "docs"}, "gantt": {"general", "agency"}, "personal": {"free", "general"},
    "docs": {"general", "remote"}, "enterprise": {"general", "gantt"},
}

# Engines, their models and prices (USD per million tokens: input, output incl. reasoning; per-search fee).
ENGINES = {
    "gemini": {"models": ["gemini-2.5-flash", "gemini-2.5-pro", "gemini-3-pro-preview"], "search_fee": 0.035},
    "chat_gpt": {"models": ["gpt-4.1-mini", "gpt-5", "o4-mini"], "search_fee": 0.01},
    "claude": {"models": ["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1"], "search_fee": 0.01},
}
PRICES = {
    "gemini-2.5-flash": (0.30, 2.50), "gemini-2.5-pro": (1.25, 10.00), "gemini-3-pro-preview": (2.00, 12.00),
    "gpt-4.1-mini": (0.40, 1.60), "gpt-5": (1.25, 10.00), "o4-mini": (1.10, 4.40),
    "claude-sonnet-4-5": (3.00, 15.00), "claude-haiku-4-5": (1.00, 5.00), "claude-opus-4-1": (15.00, 75.00),
}
REASONING_MODELS = {"gemini-2.5-pro", "gemini-3-pro-preview", "gpt-5", "o4-mini", "claude-opus-4-1"}
SMALL_MODELS = {"gemini-2.5-flash", "gpt-4.1-mini", "claude-haiku-4-5", "o4-mini"}
TASK_PRICE = 0.0012  # what posting one Standard task costs, on top of the model's tokens

# Non-completed tasks: (task status_code, status_message, how many).
OTHER_STATUSES = [
    (40602, "Task In Queue.", 2), (40601, "Task Handed.", 1), (40403, "Results Expired.", 2),
    (40401, "Task Not Found.", 2),
    # A task that failed for good (the API retried it, then gave up). 40101 rather than 50000:
    # a 5xxxx code means "transient, retry" and a task_get reader raises on it instead of listing it.
    (40101, "Internal SE Server Error.", 1),
]

WINDOW = (datetime(2026, 10, 1, tzinfo=timezone.utc), datetime(2026, 11, 20, 18, 0, tzinfo=timezone.utc))
LEGACY_WINDOW = (datetime(2026, 7, 13, tzinfo=timezone.utc), datetime(2026, 7, 27, 18, 0, tzinfo=timezone.utc))
EXPIRED_WINDOW = (datetime(2026, 9, 1, tzinfo=timezone.utc), datetime(2026, 10, 15, tzinfo=timezone.utc))
PENDING_WINDOW = (datetime(2026, 11, 20, 9, 0, tzinfo=timezone.utc), datetime(2026, 11, 20, 21, 0, tzinfo=timezone.utc))
API_VERSION = {"legacy": "0.1.20260710", "current": "0.1.20261110"}

REASONING_TEMPLATES = [
    "**Understanding the request**\n\nThe user asks: \"{prompt}\". What matters most here is {criteria}. I should "
    "compare the leading tools rather than list every option, and keep the answer practical.{lang_note}",
    "**Checking current plans and limits**\n\nPricing and plan limits change often, so I want to confirm the current "
    "numbers for {names}. Recent reviews and the vendors' own pricing pages should be the most reliable sources.",
    "**Weighing {a} against {b}**\n\n{a} looks like the better fit for most readers, but {b} has real advantages for "
    "some teams. I'll explain the trade-off briefly instead of declaring a single winner.",
    "**Structuring the answer**\n\nA short intro, then a ranked list with a sentence or two per tool, then a clear "
    "recommendation at the end. Keeping it scannable seems best.",
]
CRITERIA = {
    "smb": "ease of setup, price per seat and how quickly a small team can adopt the tool",
    "agency": "client collaboration, time tracking and resource planning",
    "free": "what the free tiers actually include: user caps, storage and views",
    "remote": "async communication, integrations and a low setup burden",
    "gantt": "native Gantt charts with dependencies and built-in time tracking",
    "personal": "simplicity, mobile apps and whether the free plan is still enough",
    "docs": "how well documentation and task execution work together",
    "enterprise": "SSO, SCIM, audit logs, data residency and compliance reports",
}
LANG_NOTES = {"en": "", "de": " The question is in German, so I'll answer in German.",
              "ja": " The question is in Japanese, so I'll answer in Japanese."}
TOKEN_ALPHABET = string.ascii_letters + string.digits + "-_"


# --------------------------------------------------------------------------- small helpers
def host(url: str) -> str:
    return url.split("/")[2]


def bare_domain(url: str) -> str:
    h = host(url)
    return h[4:] if h.startswith("www.") else h


def when(rng: random.Random, window: tuple[datetime, datetime]) -> datetime:
    start, end = window
    seconds = int((end - start).total_seconds())
    return start + timedelta(seconds=rng.randrange(seconds))


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S +00:00")


def seconds_text(rng: random.Random, low: float, high: float) -> str:
    return f"{rng.uniform(low, high):.4f} sec."


def task_id(rng: random.Random, posted: datetime) -> str:
    """DataForSEO-style id: MMDDHHMM of posting, two server numbers, 0000, 12 hex digits."""
    def draw(alphabet: str, n: int) -> str:
        return "".join(rng.choice(alphabet) for _ in range(n))

    return f"{posted:%m%d%H%M}-{draw(string.digits, 4)}-{draw(string.digits, 4)}-0000-{draw(string.hexdigits[:16], 12)}"


def redirect_url(rng: random.Random) -> str:
    token = "AUZIYQ" + "".join(rng.choice(TOKEN_ALPHABET) for _ in range(rng.randint(110, 170)))
    if rng.random() < 0.4:
        token += "=="
    return "https://vertexaisearch.cloud.google.com/grounding-api-redirect/" + token


def weighted_order(rng: random.Random, weights: dict[str, float]) -> list[str]:
    """Brands in a random order biased by weight (Efraimidis-Spirakis keys)."""
    keyed = [(rng.random() ** (1.0 / w), brand) for brand, w in weights.items()]
    return [brand for _, brand in sorted(keyed, reverse=True)]


def pick_facts(rng: random.Random, lang: str, brand: str, angle: str, count: int) -> list[tuple[str, list[str]]]:
    facts = FACTS[lang][brand]
    matching = [f for f in facts if angle in f[0]] or [f for f in facts if "general" in f[0]] or facts
    first = rng.choice(matching)
    fitting = RELATED[angle] | {angle}
    rest = [f for f in facts if f is not first and f[0] & fitting]
    chosen = [first] + rng.sample(rest, min(count - 1, len(rest)))
    return [(text, sources) for _, text, sources in chosen]


# --------------------------------------------------------------------------- answer text
# A block is a list of pieces (text, source keys or None); pieces with sources may be cited.
def brand_block(style: str, number: int, brand: str, facts: list) -> list:
    name = BRAND_NAMES[brand]
    if style == "gemini":
        pieces = [(f"**{number}. {name}**", None)]
        for text, sources in facts:
            pieces += [("\n*   ", None), (text, sources)]
    elif style == "chat_gpt":
        pieces = [(f"### {number}. {name}", None)]
        for text, sources in facts:
            pieces += [("\n- ", None), (text, sources)]
    else:
        pieces = [(f"{number}. **{name}** – ", None)]
        for n, (text, sources) in enumerate(facts):
            pieces += ([(" ", None)] if n else []) + [(text, sources)]
    return pieces


def heading(style: str, text: str) -> str:
    return f"### {text}" if style == "gemini" else f"## {text}"


def choose_block(rng: random.Random, style: str, lang: str, angle: str) -> list:
    pieces = [(heading(style, LABELS[lang]["choose"]), None)]
    bullet = "\n*   " if style == "gemini" else "\n- "
    bullets = [b for b in CHOOSE[lang]
               if all(angle in angles for label, angles in ONLY_FOR.items() if b[0].startswith(label))]
    for text, sources in rng.sample(bullets, rng.randint(3, min(4, len(bullets)))):
        pieces += [(bullet, None), (text, sources)]
    return pieces


def verdict_block(style: str, lang: str, text: str) -> list:
    label = LABELS[lang]["verdict"]
    if style == "chat_gpt":
        return [(f"### {label}\n{text}", None)]
    return [(f"**{label}:** {text}", None)]


def compose_answer(rng: random.Random, spec: dict, style: str, model: str) -> tuple[list[list], list[str]]:
    """The answer's blocks and the tools it lists, in order."""
    small = model in SMALL_MODELS
    lang, angle = spec["lang"], spec["angle"]
    intro = rng.choice(spec["intros"])
    blocks = [list(intro)]
    if spec["kind"] == "versus":
        listed = list(spec["focus"])
        rng.shuffle(listed)
        others = [b for b in weighted_order(rng, spec["weights"]) if rng.random() < spec["weights"][b]]
        for n, brand in enumerate(listed, 1):
            block = brand_block(style, n, brand, pick_facts(rng, lang, brand, angle, 2))
            if n == 1:
                block = [(heading(style, spec["heading"]) + "\n\n", None)] + block
            blocks.append(block)
        if others and not small:
            also = [(heading(style, LABELS[lang]["also"]), None)]
            for brand in others[:2]:
                text, sources = pick_facts(rng, lang, brand, angle, 1)[0]
                also += [(f"\n- **{BRAND_NAMES[brand]}**: ", None), (text, sources)]
            blocks.append(also)
            listed += others[:2]
        verdict = rng.choice(spec["verdicts"])
    else:
        order = [b for b in weighted_order(rng, spec["weights"]) if b not in spec.get("focus", [])]
        picked = [b for b in order if rng.random() < spec["weights"][b] + 0.15]
        size = rng.randint(3, 4) if small else rng.randint(4, 5)
        listed = (spec.get("focus", []) + (picked or order))[:size]
        if len(listed) < 3:
            listed += [b for b in order if b not in listed][:3 - len(listed)]
        for n, brand in enumerate(listed, 1):
            facts = pick_facts(rng, lang, brand, angle, 1 if rng.random() < (0.5 if small else 0.3) else 2)
            block = brand_block(style, n, brand, facts)
            if n == 1:
                block = [(heading(style, spec["heading"]) + "\n\n", None)] + block
            blocks.append(block)
        if spec.get("tip") and not small and rng.random() < 0.7:
            blocks.append(list(spec["tip"]))
        verdict = rng.choice(spec["verdicts"])
    if rng.random() < (0.5 if small else 0.75):
        blocks.append(choose_block(rng, style, lang, angle))
    names = [BRAND_NAMES[b] for b in listed]
    blocks.append(verdict_block(style, lang, verdict.format(a=names[0], b=names[1])))
    if style == "chat_gpt" and rng.random() < 0.6 or style == "claude" and rng.random() < 0.25:
        blocks[-1] = blocks[-1] + [("\n\n" + LABELS[lang]["follow_up"], None)]
    return blocks, listed


def split_sections(rng: random.Random, blocks: list[list], style: str) -> list[list[list]]:
    most = {"gemini": 4, "chat_gpt": 2, "claude": 3}[style]
    count = min(rng.randint(1, most), len(blocks))
    cuts = sorted(rng.sample(range(1, len(blocks)), count - 1))
    bounds = [0] + cuts + [len(blocks)]
    return [blocks[a:b] for a, b in zip(bounds, bounds[1:])]


def cite(rng: random.Random, engine: str, sources: list[str], span: str, start: int, fields: str) -> list[dict]:
    """Annotations for one cited span; fields: "legacy" (title+url) or "current" (with indexes and text)."""
    keys = rng.sample(sources, 2 if engine == "gemini" and len(sources) > 1 and rng.random() < 0.3 else 1)
    notes = []
    for key in keys:
        url, title = SOURCES[key]
        if engine == "gemini":
            note = {"title": bare_domain(url), "url": redirect_url(rng)}
            if fields == "current":
                note["direct_url"] = url
        elif engine == "chat_gpt":
            sep = "&" if "?" in url else "?"
            note = {"title": title, "url": url + (f"{sep}utm_source=openai" if rng.random() < 0.5 else ""),
                    "direct_url": None}
        else:
            note = {"title": title, "url": url}
        if fields == "current":
            note.update(start_index=start, end_index=start + len(span), text=span)
        notes.append(note)
    return notes


def render_section(rng: random.Random, engine: str, blocks: list[list], annotations: str, fields: str) -> dict:
    """A message section; annotations: "none" (no web search), "empty" or "cited"."""
    text, notes = "", []
    for n, block in enumerate(blocks):
        if n:
            text += "\n\n"
        for piece, sources in block:
            if sources and annotations == "cited" and rng.random() < 0.8:
                notes += cite(rng, engine, sources, piece, len(text), fields)
            text += piece
    return {"type": "text", "text": text, "annotations": None if annotations == "none" else notes}


def reasoning_item(rng: random.Random, spec: dict, names: list[str]) -> dict:
    count = rng.randint(1, 3)
    chosen = sorted(rng.sample(range(len(REASONING_TEMPLATES)), count))
    fill = {"prompt": spec["prompt"], "criteria": CRITERIA[spec["angle"]], "names": ", ".join(names[:3]),
            "a": names[0], "b": names[1], "lang_note": LANG_NOTES[spec["lang"]]}
    return {"type": "reasoning",
            "sections": [{"type": "summary_text", "text": REASONING_TEMPLATES[i].format(**fill)} for i in chosen]}


def fan_out(rng: random.Random, spec: dict) -> list[str]:
    queries = spec["fan_out"]
    first, rest = queries[0], queries[1:]
    count = rng.randint(3, min(12, len(queries)))
    return [first] + rng.sample(rest, count - 1)


# --------------------------------------------------------------------------- tasks and replies
def plan_tasks(rng: random.Random) -> list[dict]:
    """Every task: prompt, engine, model, status and dates, before any text is written."""
    plan = []
    offsets = {engine: rng.randrange(3) for engine in ENGINES}
    for number, spec in enumerate(PROMPTS):
        for engine, info in ENGINES.items():
            skipped = info["models"][(number + offsets[engine]) % 3]  # each model answers ~2 prompts in 3
            models = [m for m in info["models"] if m != skipped]
            legacy_slot = rng.randrange(2) if engine == "gemini" else None
            for n, model in enumerate(models):
                plan.append({"spec": spec, "engine": engine, "model": model, "legacy": n == legacy_slot,
                             "status": (20000, "Ok.")})
    slots = rng.sample(range(len(plan)), sum(count for _, _, count in OTHER_STATUSES))
    statuses = [(code, message) for code, message, count in OTHER_STATUSES for _ in range(count)]
    for slot, status in zip(slots, statuses):
        plan[slot]["status"] = status
        plan[slot]["legacy"] = False
    for task in plan:
        code = task["status"][0]
        window = {40403: EXPIRED_WINDOW, 40602: PENDING_WINDOW, 40601: PENDING_WINDOW}.get(
            code, LEGACY_WINDOW if task["legacy"] else WINDOW)
        task["posted"] = when(rng, window)
        task["id"] = task_id(rng, task["posted"])
    return plan


def task_data(task: dict, full: bool) -> dict:
    data = {"api": "ai_optimization", "function": "llm_responses", "se": task["engine"]}
    if full:
        month = task["posted"].strftime("%b").lower()
        data.update(model_name=task["model"], user_prompt=task["spec"]["prompt"], web_search=task["web_search"],
                    tag=f"pm-tools-{month}")
    return data


def completed_result(rng: random.Random, task: dict) -> dict:
    spec, engine, model = task["spec"], task["engine"], task["model"]
    fields = "legacy" if task["legacy"] else "current"
    blocks, listed = compose_answer(rng, spec, engine, model)
    annotations = "none" if not task["web_search"] else ("empty" if task["empty_annotations"] else "cited")
    sections = [render_section(rng, engine, part, annotations, fields) for part in split_sections(rng, blocks, engine)]
    items = []
    reasoning_tokens = 0
    names = [BRAND_NAMES[b] for b in listed]
    if model in REASONING_MODELS:
        reasoning_tokens = rng.randint(180, 3000)
        if rng.random() < 0.75:
            items.append(reasoning_item(rng, spec, names))
    items.append({"type": "message", "sections": sections})
    chars = sum(len(s["text"]) for s in sections)
    per_char = 1.0 if spec["lang"] == "ja" else 0.27
    output_tokens = max(300, min(1500, int(chars * per_char * rng.uniform(1.0, 1.2))))
    input_tokens = max(20, min(120, len(spec["prompt"]) // 4 + rng.randint(12, 70)))
    price_in, price_out = PRICES[model]
    money = (input_tokens * price_in + (output_tokens + reasoning_tokens) * price_out) / 1e6
    if task["web_search"]:
        money += ENGINES[engine]["search_fee"]
    done = task["posted"] + timedelta(seconds=rng.randint(40, 2400))
    return {"model_name": model, "input_tokens": input_tokens, "output_tokens": output_tokens,
            "reasoning_tokens": reasoning_tokens, "web_search": task["web_search"], "money_spent": round(money, 7),
            "datetime": stamp(done), "items": items,
            "fan_out_queries": fan_out(rng, spec) if task["web_search"] else None}


def reply_for(rng: random.Random, task: dict) -> dict:
    code, message = task["status"]
    body = {"id": task["id"], "status_code": code, "status_message": message, "time": seconds_text(rng, 0.01, 0.09),
            "cost": 0, "result_count": 0,
            "path": ["v3", "ai_optimization", task["engine"], "llm_responses", "task_get", task["id"]],
            "data": task_data(task, full=code not in (40401, 40403)), "result": None}
    if code == 20000:
        result = completed_result(rng, task)
        body.update(cost=round(TASK_PRICE + result["money_spent"], 7), result_count=1, result=[result])
    return {"version": API_VERSION["legacy" if task["legacy"] else "current"], "status_code": 20000,
            "status_message": "Ok.", "time": seconds_text(rng, 0.04, 0.16), "cost": 0, "tasks_count": 1,
            "tasks_error": 0 if code == 20000 else 1, "tasks": [body]}


def build(seed: int = SEED) -> dict:
    rng = random.Random(seed)
    plan = plan_tasks(rng)
    done = [t for t in plan if t["status"][0] == 20000]
    offline = {t["id"] for t in rng.sample(done, 9)}
    for task in plan:
        task["web_search"] = task["id"] not in offline
    searched = [t for t in done if t["web_search"] and not t["legacy"]]
    empty = {t["id"] for t in rng.sample(searched, 2)}
    for task in plan:
        task["empty_annotations"] = task["id"] in empty
    replies = [{"engine": t["engine"], "task_id": t["id"], "reply": reply_for(rng, t)} for t in plan]
    ids = [r["task_id"] for r in replies]
    assert len(set(ids)) == len(ids), "task ids collide: change the seed"
    return {
        "about": "Demo data, generated by scripts/make_demo_data.py (deterministic; do not edit by hand): "
                 f"{len(replies)} DataForSEO LLM-responses task_get replies for the '{MARKET}' market, each stored "
                 "as the full HTTP reply envelope. Brands, pages and answers are illustrative, not real model output.",
        "market": MARKET, "brand": OUR_BRAND, "competitors": COMPETITORS,
        "replies": replies,
    }


def render(data: dict) -> str:
    return json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output file (default {DEFAULT_OUT})")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(render(build(args.seed)).encode("utf-8"))
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
