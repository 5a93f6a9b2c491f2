"""The rules of the demo dataset as tables: how many things of each kind, in which states, and the settings of
each kind that the plans in the service modules consult (`partnerships`, `publications`, `training`, `outreach`).

Every choice is drawn from a generator seeded with the seed and what the choice is for, so the same seed gives the
same dataset. The plans draw in a fixed order, whatever a table says: a setting that needs no draw (a single
option, a share of 0) draws nothing, and one that does always draws at the same point.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from deploy.demo import dataset

T = TypeVar("T")

# --- agreements ------------------------------------------------------------------------------------------------

AGREEMENT_KINDS = ("panda_loan", "research_cooperation", "training_cooperation", "framework", "cultural_exchange")


@dataclass(frozen=True)
class AgreementState:
    """An agreement in one state: the transitions that take it there from a draft, and what follows from it."""

    steps: tuple[str, ...] = ()
    activated: bool = False  # it has been in force: its loans ran, its projects started
    in_force: bool = False  # it is in force today: events name it
    terminated: bool = False  # ended early: terminated after its projects, and those under way cancelled


_TO_ACTIVE = ("submit", "sign", "activate")
AGREEMENT_STATES = {  # in the order the loader's summary line lists them
    "draft": AgreementState(),
    "negotiating": AgreementState(("submit",)),
    "signed": AgreementState(("submit", "sign")),
    "active": AgreementState(_TO_ACTIVE, activated=True, in_force=True),
    "terminated": AgreementState(_TO_ACTIVE, activated=True, terminated=True),
    "expiring": AgreementState(_TO_ACTIVE, activated=True, in_force=True),  # active, its term ends today
}
STATES = tuple(AGREEMENT_STATES)
SUBMITTED_NOTE = "Terms sent to the partner for review."
TERMINATED_REASON = "Ended early."  # for a spec that gives none


@dataclass(frozen=True)
class TermRule:
    """How an agreement in one state gets its term when its spec gives none. Drawn in this order: the signature
    (`signed_days_ago`), the start, the length (`years`), the signature before the start."""

    starts: str  # how its start is drawn from `start_range`: a key of `partnerships.STARTS`
    start_range: tuple[int, ...]
    signed_days_ago: tuple[int, int] | None = None  # signed so many days before today, drawn before the start
    years: tuple[int, ...] = ()  # its length, one of these; none: it ends today
    extend_by: int = 0  # years added to a term that would end within a year
    signed_days_before_start: tuple[int, int] | None = None  # with neither: signed on the day it starts


_PLANNED = TermRule("month_ahead", (70, 300), years=(5, 10))
_RAN = TermRule("month_in_years", (2015, 2023), years=(10, 10, 15), extend_by=5, signed_days_before_start=(20, 120))
TERMS = {
    "draft": _PLANNED,
    "negotiating": _PLANNED,
    "signed": TermRule("month_ahead", (40, 150), signed_days_ago=(10, 60), years=(10,)),
    "active": _RAN,
    "terminated": _RAN,
    "expiring": TermRule("years_ago", (5, 10), signed_days_before_start=(30, 120)),  # in force until today
}
SIGNED_DAYS_BEFORE_GIVEN_START = (30, 120)  # a spec with its term but no signature date
PROJECT_YEARS = (2, 4)


# --- works -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkType:
    """A type of work: how many of it, who writes it, and what its record holds.

    A work's plan draws, in this order: the agreement and project it comes from, its date, its title, its authors
    and keywords; then what these fields ask for: the Chinese share, the venue, volume/issue/pages, the publisher,
    the ISBN, the language and the DOI share; last, whether it is open access."""

    weight: int
    authors: tuple[int, int]  # how many (min, max)
    research: bool = False  # a research paper: the drafts and the retracted works are among these
    linked: bool = True  # may come from an agreement, and from a project under it
    titles: tuple[tuple[str, str], ...] = ()  # fixed titles (en, zh), taken in turn; none: a research title
    worded: tuple[str, str] = ("{}", "{}")  # how a research title is worded for this type (en, zh)
    partner_first_author: bool = False  # the first author always works at a partner (a thesis)
    chinese_share: float = 0.0  # the share in a Chinese venue, in Chinese
    venues: tuple[str, ...] = ()  # one of these
    chinese_venues: tuple[str, ...] = ()
    numbered: bool = False  # has volume, issue and pages
    publishers: tuple[str, ...] = ()  # one of these
    by_university: bool = False  # published by a partner university (else Sichuan University)
    isbn: bool = False
    languages: tuple[str, ...] = ("en",)  # one of these (unless in Chinese)
    doi_share: float = 0.0  # the share with a DOI: 1 for all, none drawn
    date: str = "day"  # how precise its date is: "day", "month" or "year"


_BASE_NAME = dataset.BASE_NAME["en"]
_BOOK = {"publishers": tuple(dataset.PUBLISHERS), "isbn": True, "date": "year"}
WORK_TYPES: dict[str, WorkType] = {  # in this order for `spread`
    "journal_article": WorkType(
        110, (3, 8), research=True, chinese_share=0.12, venues=tuple(dataset.JOURNALS),
        chinese_venues=tuple(dataset.CHINESE_JOURNALS), numbered=True, doi_share=1),
    "conference_paper": WorkType(
        20, (2, 5), research=True, venues=tuple(dataset.CONFERENCES), doi_share=1, date="month"),
    "report": WorkType(
        16, (2, 4), worded=("{}: technical report", "{}技术报告"), publishers=(_BASE_NAME,),
        venues=("Technical Reports of the Chengdu Research Base",), doi_share=0.5, date="month"),
    "popular_article": WorkType(
        18, (1, 2), linked=False, titles=(*dataset.POPULAR_ARTICLES, *dataset.TOPICS), venues=("Panda Magazine",),
        languages=("en", "zh")),
    "book_chapter": WorkType(
        10, (1, 3), venues=("Giant Pandas: Biology, Veterinary Medicine and Management",), doi_share=1, **_BOOK),
    "popular_science_book": WorkType(
        8, (1, 2), linked=False, titles=tuple(dataset.POPULAR_BOOKS), languages=("en", "zh"), **_BOOK),
    "thesis": WorkType(8, (1, 1), partner_first_author=True, by_university=True, date="year"),
    "book": WorkType(5, (1, 3), **_BOOK),
    "dataset": WorkType(
        5, (2, 5), worded=("Data from: {}", "{}数据集"), venues=("Panda Base Data Repository",), doi_share=1),
}
RETRACTED_SHARE, DRAFT_SHARE = 0.03, 0.06  # of all works, among the research papers
LINKED_SHARE = 0.8  # of the works that may come from an agreement
LINKED_KINDS = ("research_cooperation", "framework", "panda_loan")  # agreements that works come from
PROJECT_SHARE = 0.6  # of those, the share that comes from one of its projects (under way or done)
PARTNER_AUTHOR_SHARE = 0.3  # of the first, third, fifth ... authors (the others always work at a partner)
OPEN_ACCESS_SHARE = 0.4
RESEARCHERS = 8  # at the base and at each partner


# --- training --------------------------------------------------------------------------------------------------

PROGRAMS = (15, 2)  # published programs at scale 1, at the least; the archived and the draft ones always
COHORTS = (60, 4)  # at scale 1, at the least
COHORT_SHARES = {"future": 0.22, "current": 0.06}  # of all cohorts, at least one each; the others are past
PAST_COHORTS_DAYS_AGO = (int(6.5 * 365), 75)  # spread evenly from, until, each a few days later at random
PAST_COHORT_LATER = (0, 20)
CURRENT_COHORT_DAYS_AGO = (1, 5)
FUTURE_COHORT_DAYS_AHEAD = (14, 330)
ARCHIVED_PROGRAM_COHORTS = 2  # the first past cohorts are the archived program's
FORMAT_DAYS = {"onsite": (9, 20), "online": (28, 56), "hybrid": (14, 28)}  # how long a cohort runs
CAPACITIES = (20, 24, 24, 25, 28, 30, 30, 32)
# How many apply: to a past cohort, its capacity and this many more; to a current one, this many fewer; to a
# future one, this share of it. All three are drawn for every cohort.
PAST_OVER, CURRENT_SHORT, FUTURE_FILL = (-3, 2), (0, 3), (0.4, 1.15)
RESERVED_SEATS, RESERVED_SHARE = 4, 0.35  # seats reserved for partners, in this share of cohorts not online
STAFF_SHARE = 0.5  # applicants who work at a partner zoo (the others apply on their own)
TRAINEE_ZOOS = (*("zoo_negara", "chiang_mai", "taman_safari", "everland") * 3,
                *(p.key for p in dataset.PARTNERS if p.kind == "zoo"))  # one of these, the first four more often
RETURNING_SHARE = 0.05  # back for another course, when someone from the same place has been before
BY_PARTNER_KEY_SHARE = 0.8  # partner staff enrolled with their institution's own key
FATES = {  # by phase: (fate, the roll it is below), the first that fits
    "past": (("withdraw", 0.05), ("no_show", 0.08), ("attend", 0.10), ("reject", 0.11), ("complete", 1.0)),
    "current": (("withdraw", 0.05), ("attend", 0.75), ("stay", 1.0)),
    "future": (("withdraw", 0.08), ("stay", 1.0)),
}
BEFORE_START = ("withdraw", "reject")  # fates acted on as soon as the applications are in
# Once the cohort ran (or, under way, so far): by phase and status, the steps for each fate ("*": any other).
SETTLING: dict[tuple[str, str], dict[str, tuple[str, ...]]] = {
    ("past", "waitlisted"): {"*": ("withdraw",)},  # no seat freed up in time
    ("past", "accepted"): {"no_show": ("no_show",), "attend": ("attend",), "*": ("attend", "complete")},
    ("current", "accepted"): {"attend": ("attend",)},  # under way: the first days are attended
}
BY_APPLICANT = ("withdraw",)  # steps an applicant (or their institution) takes; the coordinator takes the others
ENROLLMENT_OPENS_DAYS_BEFORE, ENROLLMENT_CLOSES_DAYS_BEFORE = 90, 7


# --- outreach events -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventKind:
    """A kind of outreach event: how many of it, how big, where, when, how long, and what it is called.

    An event's plan draws, in this order: its place (by `place`), its day (by its status), its hour, both
    lengths (a season's days and a session's minutes, whichever it takes), its topic, an activity and an
    exhibition (whichever its title takes), whether it is booked out, its registrations; last, whether a
    cancelled one was cancelled as a draft."""

    weight: int
    capacity: int
    registrations: tuple[int, int]  # (min, max)
    party: tuple[int, int]  # people a registration brings (min, max)
    walk_ins: tuple[int, int]  # when completed (min, max)
    audiences: tuple[str, ...]
    title: tuple[str, str]  # en, zh: with {topic}, {activity}, {exhibition}, {city}, {year}
    place: str = "partner_or_base"  # how its place is chosen: a key of `outreach.PLACES`
    school: bool = False  # held at a school (a partner city's international school, or one in Chengdu)
    lasts: str = "session"  # "session" (one of SESSION_MINUTES), "season" (SEASON_DAYS) or "weekend" (2 days)
    held_days_ago: tuple[int, int] = (2, 4 * 365)  # when completed
    evening_share: float = 0.0  # the share that starts at EVENING_HOUR
    booked_out_share: float = 0.0  # of the scheduled ones: booked out, with a waitlist
    reach: tuple[int, int] | None = None  # people reached (online), when completed
    launches_book: bool = False  # presents one of the popular science books, once there are any


EVENT_KINDS: dict[str, EventKind] = {  # in this order for `spread`
    "classroom": EventKind(
        18, 40, (2, 5), (2, 8), (0, 6), ("children", "students"),
        ("Panda Classroom: {topic}", "熊猫课堂：{topic}"), booked_out_share=0.6),
    "lecture": EventKind(
        18, 150, (5, 12), (1, 2), (10, 60), ("general", "professionals", "students"),
        ("Lecture: {topic}", "讲座：{topic}"), evening_share=0.5),
    "school_visit": EventKind(
        14, 70, (1, 2), (20, 32), (0, 4), ("students", "teachers", "children"),
        ("Pandas at school: {topic}", "熊猫进校园：{topic}"), school=True),
    "hands_on_course": EventKind(
        12, 24, (4, 8), (1, 3), (0, 3), ("families", "children"),
        ("Hands-on: {activity}", "动手课堂：{activity}"), booked_out_share=0.6),
    "online_broadcast": EventKind(
        10, 5000, (5, 12), (1, 1), (0, 0), ("general", "students"),
        ("Live from Chengdu: {topic}", "成都直播：{topic}"), place="online", reach=(800, 12000)),
    "museum_tour": EventKind(
        10, 30, (3, 8), (1, 4), (0, 5), ("tourists", "general"),
        ("Guided tour of the Giant Panda Museum", "大熊猫博物馆导览"), place="museum", booked_out_share=0.6),
    "bookstore_event": EventKind(
        7, 60, (4, 10), (1, 2), (5, 40), ("general", "families"),
        ("Meet the authors: {topic}", "作者见面会：{topic}"), place="bookstore", launches_book=True),
    "exhibition": EventKind(
        6, 2000, (4, 10), (1, 5), (300, 3000), ("general", "families", "tourists"),
        ("{exhibition}", "{exhibition}"), lasts="season", held_days_ago=(100, 4 * 365)),
    "festival": EventKind(
        5, 3000, (5, 12), (2, 5), (800, 5000), ("families", "general", "tourists", "children"),
        ("Panda Festival {city} {year}", "{year}年熊猫文化节（{city}）"), lasts="weekend",
        held_days_ago=(100, 4 * 365)),
}
EVENTS = (150, 12)  # at scale 1, at the least
EVENT_STATUS_SHARES = (("draft", 0.03), ("cancelled", 0.04), ("scheduled", 0.17))  # at least one each; the rest
# are completed. Days from today, by status (a completed event's come from its kind's `held_days_ago`):
EVENT_DAYS = {"scheduled": (3, 150), "draft": (60, 240), "cancelled": (-700, 90)}
HOURS, EVENING_HOUR = (10, 10, 14, 15), 19
SESSION_MINUTES, SEASON_DAYS = (60, 90, 120), (30, 90)
ONLINE_HOSTED_SHARE = 0.3  # online events a partner zoo co-hosts
AT_PARTNER_SHARE = 0.55  # other events held at a partner zoo (the rest at the base)
BOOKED_OUT_EXTRA = 3  # registrations beyond the kind's, for a booked-out event
SCHOOL_CLASS_PARTY = 15  # a party this big is a school class
CANCELLED_AS_DRAFT_SHARE = 0.3
REGISTERED_BY_HOST_SHARE = 0.5  # registrations the co-hosting partner sends with its own key
GIVES_UP_SHARE = {"scheduled": 0.5}  # the chance that one registration is cancelled (by status; else the default)
GIVES_UP_DEFAULT = 0.2
ARRIVES_SHARE = 0.85  # confirmed registrations that check in
HOSTED_KINDS = ("cultural_exchange", "framework", "panda_loan")  # agreements an event with a host names


# --- drawing ---------------------------------------------------------------------------------------------------


def one_of(rng: random.Random, options: Sequence[T]) -> T:
    """One of `options`; a single option is taken without a draw."""
    return options[0] if len(options) == 1 else rng.choice(options)


def spread(count: int, weights: dict[str, int], rng: random.Random) -> list[str]:
    """`count` values in proportion to `weights`, each value at least once when there is room, shuffled."""
    values = list(weights)
    out = values[:count] if count < len(values) else list(values)
    total = sum(weights.values())
    remaining = count - len(out)
    shares = {v: remaining * w / total for v, w in weights.items()}
    for v in values:
        out += [v] * int(shares[v])
    by_fraction = sorted(values, key=lambda v: -(shares[v] - int(shares[v])))
    out += by_fraction[: count - len(out)]
    rng.shuffle(out)
    return out

