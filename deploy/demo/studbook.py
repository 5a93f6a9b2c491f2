"""The demo's studbook: a captive population of a few hundred pandas over several generations, made up from a
seed, around the named pandas of `dataset.PANDAS`.

Wild-born founders (estimated birth dates, `WILD` parents) are born from the late 1960s to the early 1990s; from
then on each year some females of breeding age (5-20) have a cub (sometimes twins) with a male of breeding age
(6-22) that is not her father, son or full brother. Some sires are uncertain (`MULT`: two possible sires, as when
a female mated with two males in one season) and a few unknown (`UNK`); some cubs die young, the rest live 15-32
years; a few animals leave the managed population. The named pandas born in captivity get parents from this
population, so their pedigrees reach back to its founders. Everything here is made up.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

from deploy.demo.dataset import BASE_NAME, PANDAS, WOLONG, PandaSpec

# Syllables of panda names (pinyin, characters): two make a name, as "Bao Mei" 宝美.
_SYLLABLES = [("Bao", "宝"), ("Bei", "贝"), ("Bing", "冰"), ("Cheng", "成"), ("Chun", "春"), ("Fu", "福"),
              ("Hai", "海"), ("Hua", "华"), ("Jia", "佳"), ("Jing", "晶"), ("Le", "乐"), ("Li", "丽"), ("Lin", "林"),
              ("Long", "龙"), ("Mei", "美"), ("Meng", "梦"), ("Ming", "明"), ("Ni", "妮"), ("Qi", "琪"),
              ("Rong", "蓉"), ("Shan", "山"), ("Shu", "蜀"), ("Tian", "天"), ("Xi", "喜"), ("Xiang", "祥"),
              ("Xin", "欣"), ("Ya", "雅"), ("Yang", "阳"), ("Ying", "莹"), ("Yuan", "圆"), ("Yun", "云"),
              ("Zhen", "珍"), ("Zhu", "竹")]

FULL_SIZE = 300  # generated pandas at scale 1 (the named ones come on top)


@dataclasses.dataclass
class _Panda:
    key: str
    sex: str
    born: dt.date
    died: dt.date | None
    dam: str | None = None
    sire: str | None = None
    possible_sires: tuple[tuple[str, float], ...] = ()
    sire_unknown: bool = False
    managed: bool = True

    def alive_on(self, day: dt.date) -> bool:
        return self.born <= day and (self.died is None or self.died > day)

    def age_on(self, day: dt.date) -> float:
        return (day - self.born).days / 365.25


def demo_studbook(seed: int, scale: float, today: dt.date) -> list[PandaSpec]:
    """The generated pandas, parents first, then the named ones (with parents from the generated population
    where they were born in captivity). Studbook numbers count up in order of birth, skipping the named ones'."""
    rng = random.Random(f"{seed}/studbook")
    size = max(24, round(FULL_SIZE * scale))
    founders = max(8, size // 8)
    pop: list[_Panda] = []

    def lifespan(born: dt.date) -> dt.date | None:
        years = rng.uniform(0.1, 3) if rng.random() < 0.15 else rng.uniform(15, 32)
        died = born + dt.timedelta(days=round(years * 365.25))
        return died if died < today else None

    for k in range(founders):
        born = dt.date(rng.randint(1966, 1992), 7, 1)
        pop.append(_Panda(f"f{k}", "female" if k % 2 else "male", born, lifespan(born)))
    year = 1978
    while len(pop) < size and year < today.year:
        season = dt.date(year, 3, 1)
        males = [p for p in pop if p.sex == "male" and p.managed and p.alive_on(season) and 6 <= p.age_on(season) <= 22]
        for dam in [p for p in pop if p.sex == "female" and p.managed and p.alive_on(season)
                    and 5 <= p.age_on(season) <= 20]:
            mates = [m for m in males if m.key not in (dam.sire, dam.dam) and dam.key != m.dam
                     and not (m.dam and m.dam == dam.dam)]
            if not mates or rng.random() > 0.3 or len(pop) >= size:
                continue
            sire = rng.choice(mates)
            roll = rng.random()
            for _ in range(2 if rng.random() < 0.15 else 1):
                born = dt.date(year, 8, 1) + dt.timedelta(days=rng.randint(-25, 25))
                cub = _Panda(f"c{len(pop)}", rng.choice(("female", "male")), born, lifespan(born), dam=dam.key,
                             managed=rng.random() > 0.04)
                if roll < 0.08 and len(mates) > 1:
                    other = rng.choice([m for m in mates if m is not sire])
                    p = rng.choice((0.5, 0.6, 0.7))
                    cub.possible_sires = ((sire.key, p), (other.key, round(1 - p, 2)))
                elif roll < 0.11:
                    cub.sire_unknown = True
                else:
                    cub.sire = sire.key
                pop.append(cub)
        year += 1
    return _specs(pop, rng, today)


def _specs(pop: list[_Panda], rng: random.Random, today: dt.date) -> list[PandaSpec]:
    taken = {p.studbook_number for p in PANDAS}
    numbers = (str(n) for n in range(101, 100_000) if str(n) not in taken)
    names: set[str] = {p.name["en"] for p in PANDAS}
    out = []
    for a in sorted(pop, key=lambda a: (a.born, a.key)):
        while True:
            (en1, zh1), (en2, zh2) = rng.sample(_SYLLABLES, 2)
            if f"{en1} {en2}" not in names:
                break
        names.add(f"{en1} {en2}")
        founder = a.key.startswith("f")
        out.append(PandaSpec(
            a.key, next(numbers), {"en": f"{en1} {en2}", "zh": zh1 + zh2}, a.sex, a.born,
            "Wild-born" if founder else rng.choice((BASE_NAME["en"], WOLONG)),
            dam=a.dam, sire=a.sire, birth_date_estimated=founder, death_date=a.died, managed=a.managed,
            dam_origin="wild" if founder else None,
            sire_origin="wild" if founder else "unknown" if a.sire_unknown else
            "multiple" if a.possible_sires else None,
            possible_sires=a.possible_sires,
        ))
    # The named pandas born in captivity without parents in the dataset get parents of breeding age.
    named = []
    for spec in PANDAS:
        if spec.dam or spec.dam_origin:
            named.append(spec)
            continue
        season = dt.date(spec.birth_date.year, 3, 1)
        dams = [p for p in pop if p.sex == "female" and p.alive_on(season) and 5 <= p.age_on(season) <= 20]
        sires = [p for p in pop if p.sex == "male" and p.alive_on(season) and 6 <= p.age_on(season) <= 22]
        if dams and sires:
            spec = dataclasses.replace(spec, dam=rng.choice(dams).key, sire=rng.choice(sires).key)
        named.append(spec)
    return out + named
