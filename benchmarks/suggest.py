"""Measure suggested matches on a perturbed district, next to a plain baseline.

The script invents a district from built-in name lists with a seeded random
generator. Each unmatched Schoology user differs from its SIS record in one
labelled way, or has no SIS record at all. The SIS pool is made hard on
purpose: surnames drawn from a skewed distribution so that many people share
them, siblings at the same school, namesakes at other schools and near names.

It prints a table per method with a row per perturbation kind and a total:

- recall@1 and recall@3: the share of true pairs whose right SIS user is the
  top suggestion, or among the top three;
- precision@90: the share of top suggestions scored 90 or more that are right
  (in the total, a person with no counterpart counts as wrong);
- found@90: the share of true pairs whose right SIS user is the top
  suggestion and scores 90 or more;
- none@90: the share of people with no counterpart whose top suggestion
  scores 90 or more.

The baseline is rapidfuzz's token-sort ratio on the full name, best first,
within each role. Each table is followed by the wall and CPU seconds and the
peak memory that tracemalloc traced in a second run.

Run: .venv/bin/python benchmarks/suggest.py [--users 20000] [--pool 20000]
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import time
import tracemalloc
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process, utils

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.core.model import Role, SchoologyUser, SisUser  # noqa: E402
from server.core.suggest import suggest  # noqa: E402

YEAR_END = 2027
STRONG = 90

KINDS = (
    "nickname",
    "middle_as_first",
    "married",
    "typo",
    "hyphen",
    "swapped",
    "personal_email",
    "no_counterpart",
)

# Formal first names and the short forms people go by. Written for this
# benchmark rather than taken from the nicknames package, so that the
# suggestions are not measured against their own table.
NICKNAMES = {
    "Robert": ["Bob", "Rob", "Bobby", "Robbie"],
    "William": ["Bill", "Will", "Billy", "Liam"],
    "Elizabeth": ["Liz", "Beth", "Betsy", "Eliza", "Lizzie"],
    "Katherine": ["Kate", "Katie", "Kathy", "Kat"],
    "Jennifer": ["Jen", "Jenny", "Jenn"],
    "Michael": ["Mike", "Mikey"],
    "James": ["Jim", "Jimmy", "Jamie"],
    "Richard": ["Rick", "Rich", "Richie"],
    "Thomas": ["Tom", "Tommy"],
    "Christopher": ["Chris", "Topher"],
    "Daniel": ["Dan", "Danny"],
    "Matthew": ["Matt", "Matty"],
    "Anthony": ["Tony"],
    "Joseph": ["Joe", "Joey"],
    "Margaret": ["Maggie", "Peggy", "Meg"],
    "Patricia": ["Pat", "Patty", "Trish"],
    "Alexander": ["Alex", "Xander"],
    "Alexandra": ["Alex", "Sasha", "Lexi"],
    "Benjamin": ["Ben", "Benny"],
    "Samuel": ["Sam", "Sammy"],
    "Nicholas": ["Nick", "Nico"],
    "Jonathan": ["Jon", "Johnny"],
    "Andrew": ["Andy", "Drew"],
    "Edward": ["Ed", "Eddie", "Ted"],
    "Charles": ["Charlie", "Chuck"],
    "Theodore": ["Theo", "Teddy"],
    "Victoria": ["Vicky", "Tori"],
    "Rebecca": ["Becky", "Becca"],
    "Samantha": ["Sam", "Sammie"],
    "Abigail": ["Abby", "Gail"],
    "Madeline": ["Maddie", "Maddy"],
    "Isabella": ["Bella", "Izzy"],
    "Jacqueline": ["Jackie"],
    "Deborah": ["Debbie", "Deb"],
    "Susan": ["Sue", "Susie"],
    "Kimberly": ["Kim"],
    "Stephanie": ["Steph"],
    "Jessica": ["Jess", "Jessie"],
    "Timothy": ["Tim", "Timmy"],
    "Gregory": ["Greg"],
    "Zachary": ["Zach", "Zack"],
    "Joshua": ["Josh"],
    "Jacob": ["Jake"],
    "Gabriel": ["Gabe"],
    "Frederick": ["Fred", "Freddie"],
    "Lawrence": ["Larry"],
    "Raymond": ["Ray"],
    "Kenneth": ["Ken", "Kenny"],
    "Steven": ["Steve"],
    "Douglas": ["Doug"],
    "Peter": ["Pete"],
    "Phillip": ["Phil"],
    "Cynthia": ["Cindy"],
    "Christina": ["Tina", "Chrissy"],
    "Guadalupe": ["Lupe"],
    "Eduardo": ["Lalo"],
    "Francisco": ["Paco", "Frank"],
    "Dorothy": ["Dot", "Dottie"],
    "Valentina": ["Vale"],
    "Natalie": ["Nat"],
    "Evangeline": ["Evie", "Eva"],
    "Penelope": ["Penny"],
}

OTHER_FIRST_NAMES = """
Aiden Priya Mei Omar Fatima Aaliyah Mateo Santiago Sofia Camila Wei Hiroshi Kwame
Amara Noah Olivia Emma Ava Mia Harper Evelyn Layla Zoe Chloe Nora Lucas Ethan Mason
Logan Caleb Owen Hunter Dylan Jayden Carter Wyatt Grayson Leo Luca Ezra Maya Aria
Riley Hannah Grace Lily Ella Avery Scarlett Violet Hazel Aurora Stella Lucy Anna
Maria Mario Marie Rosa Ana Carlos Luis Diego Javier Miguel Sara Sarah Laura Lauren
Megan Emily Emilia Amelia Ivy Jade Ruby Iris Mila Nina Nadia Yusuf Ibrahim Amir
Zainab Aisha Hana Yuki Kenji Haruto Minh Linh Anh Bao Tuan Jin Min Seo Ji Tariq
Chidi Ngozi Adaeze Kofi Ama Esi Kaveh Darius Parisa Arjun Rohan Anika Ishaan Diya
Kai Ren Sven Lars Ingrid Astrid Freya Elena Ivan Dmitri Olga Katya Tomasz Marek
Zofia Aleksander Jorge Pablo Andres Lucia Paula Marta Julia Julian Adrian Aaron
Brandon Tyler Austin Kevin Brian Jason Eric Justin Ryan Sean Kyle Travis Derek
Tanya Monica Angela Heather Amber Crystal Tiffany Brittany Danielle Erica Vanessa
Maribel Brenda Denise Tamara Colleen Shannon Kristen Molly Holly Paige Brooke
""".split()

SURNAMES = """
Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez
Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez
Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King
Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera
Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz
Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz
Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson
Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez
Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell
Sullivan Bell Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons
Romero Jordan Patterson Hamilton Graham Reynolds Griffin Wallace Moreno West Cole
Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro
Marshall Owens Harrison Fernandez McDonald Woods Washington Kennedy Wells Vargas
Henry Chen Freeman Webb Tucker Guzman Burns Crawford Olson Simpson Porter Hunter
Gordon Mendez Silva Shaw Snyder Mason Dixon Hunt Hicks Holmes Palmer Wagner Black
Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice Schmidt Garza
Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley
Spencer Hawkins Arnold Pierce Vazquez Hansen Peters Santos Hart Bradley Knight
Elliott Cunningham Duncan Armstrong Hudson Carroll Lane Riley Andrews Alvarado
Delgado Berry Perkins Hoffman Johnston Matthews Richards Contreras Willis
Carpenter Lawrence Sandoval Okafor Okonkwo Adeyemi Mensah Singh Sharma Gupta Shah
Khan Ali Hussain Ahmed Wang Zhang Liu Huang Zhao Wu Zhou Xu Sun Zhu Guo Lin
Yamamoto Tanaka Suzuki Sato Watanabe Park Choi Jung Kang Cho Yoon Pham Hoang Vu
Dang Bui Ngo Duong Kowalski Nowak Wojcik Kaminski Muller Schneider Fischer Weber
Becker Schulz Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino
O'Brien McCarthy O'Connor Gallagher Brennan Nunez Pena Munoz Gomes Sorensen
Lindqvist Bjork Novak Horvat Petrov Ivanova Kuznetsov Popescu Nagy Szabo Dubois
Moreau Laurent Lefebvre Girard Bonnet Haddad Nasser Mansour Cohen Levy Friedman
""".split()

# Surnames that are several words; each stays one surname.
MULTI_PART_SURNAMES = ["De La Cruz", "Van Der Berg", "Del Rio", "St. John", "Da Silva"]
# Accented spellings, as a SIS may store them.
ACCENTED = {"Nunez": "Núñez", "Pena": "Peña", "Munoz": "Muñoz", "Bjork": "Björk"}

ELEMENTARY = [f"{name} Elementary" for name in "Lincoln Oak Maple Cedar Pine".split()]
ELEMENTARY += [
    f"{name} Elementary" for name in "Rivera Hillside Lakeview Sunset".split()
]
ELEMENTARY += [f"{name} Elementary" for name in "Meadow Brook Willow Aspen".split()]
MIDDLE = [f"{name} Middle School" for name in "Jefferson Adams Madison Monroe".split()]
HIGH = ["Central High School", "North High School", "South High School"]
SCHOOLS = ELEMENTARY + MIDDLE + HIGH

PERSONAL_DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "icloud.com"]


@dataclass
class Person:
    """One invented person, before either system writes them down."""

    first: str
    middle: str
    last: str
    role: Role
    school: str
    grade: int | None
    number: str


@dataclass
class Case:
    """One unmatched Schoology user with the local ID it truly belongs to."""

    user: SchoologyUser
    kind: str
    truth: str | None


class District:
    """A seeded generator of people, SIS records and Schoology records."""

    def __init__(self, seed: int):
        self.random = random.Random(seed)
        self.numbers = iter(self.random.sample(range(1, 999_999), 400_000))
        first_names = list(NICKNAMES) + OTHER_FIRST_NAMES
        self.first_names = first_names
        # Zipf-like weights, so a few names are very common.
        self.first_weights = [1 / (rank + 1) ** 0.8 for rank in range(len(first_names))]
        self.surnames = SURNAMES
        self.surname_weights = [1 / (rank + 1) ** 0.9 for rank in range(len(SURNAMES))]

    def first_name(self, formal: bool = False) -> str:
        if formal:
            return self.random.choice(list(NICKNAMES))

        return self.random.choices(self.first_names, self.first_weights)[0]

    def surname(self) -> str:
        roll = self.random.random()
        if roll < 0.02:
            return self.random.choice(MULTI_PART_SURNAMES)

        name = self.random.choices(self.surnames, self.surname_weights)[0]
        if name in ACCENTED and self.random.random() < 0.5:
            return ACCENTED[name]

        return name

    def number(self) -> str:
        return f"{next(self.numbers):06d}"

    def person(self, role: Role | None = None, **fields) -> Person:
        if role is None:
            roll = self.random.random()
            role = (
                Role.STUDENT
                if roll < 0.85
                else Role.STAFF
                if roll < 0.95
                else Role.PARENT
            )

        grade = None
        if role is Role.STUDENT:
            grade = self.random.randint(0, 12)
            school = self.school_for(grade)
        else:
            school = self.random.choice(SCHOOLS)

        middle = self.first_name() if self.random.random() < 0.7 else ""
        values = {
            "first": self.first_name(),
            "middle": middle,
            "last": self.surname(),
            "role": role,
            "school": school,
            "grade": grade,
            "number": self.number(),
        }
        values.update(fields)

        return Person(**values)

    def school_for(self, grade: int) -> str:
        if grade <= 5:
            return self.random.choice(ELEMENTARY)

        if grade <= 8:
            return self.random.choice(MIDDLE)

        return self.random.choice(HIGH)

    def sis_user(self, person: Person, middle_initial: bool | None = None) -> SisUser:
        """Write a person down the way the SIS does."""
        if middle_initial is None:
            middle_initial = self.random.random() < 0.2

        middle = person.middle
        if middle and middle_initial:
            middle = middle[0] + "."

        local = email_local(person)
        domain = "students.lusd.org" if person.role is Role.STUDENT else "lusd.org"
        grade = (
            ""
            if person.grade is None
            else ("K" if person.grade == 0 else str(person.grade))
        )

        return SisUser(
            line=0,
            source="sis.csv",
            local_id=f"{person.role.prefix}_{person.number}",
            sis_key=person.number,
            number=person.number,
            first_name=person.first,
            middle_name=middle,
            last_name=person.last,
            username=local,
            email=f"{local}@{domain}",
            role=person.role,
            role_name=person.role.value,
            school=person.school,
            grade=grade,
        )

    def schoology_user(self, person: Person, sis_user: SisUser | None) -> SchoologyUser:
        """Write a person down the way Schoology does, with everyday noise.

        Unmatched users rarely carry the SIS email, because a matching email
        would have matched them, so most have none or an older address.
        """
        roll = self.random.random()
        if sis_user is not None and roll < 0.3:
            email = sis_user.email
        elif roll < 0.7:
            email = ""
        else:
            email = (
                f"{person.first[0]}{person.last}{self.random.randint(1, 99)}@lusd.org"
            )
            email = email.lower().replace(" ", "").replace("'", "")

        school = person.school
        if self.random.random() < 0.06:
            school = self.random.choice(SCHOOLS)

        grad_year = ""
        if person.grade is not None and self.random.random() < 0.9:
            grad_year = YEAR_END + 12 - person.grade
            if self.random.random() < 0.08:
                grad_year += self.random.choice((-1, 1))
            grad_year = str(grad_year)

        return SchoologyUser(
            line=0,
            schoology_id=str(next(self.numbers) + 10_000_000),
            unique_id="",
            first_name=person.first,
            middle_name=person.middle if self.random.random() < 0.4 else "",
            last_name=person.last,
            username=email.partition("@")[0],
            email=email,
            role=person.role,
            role_name=person.role.value,
            school=school,
            grad_year=grad_year,
        )


def email_local(person: Person) -> str:
    text = f"{person.first}.{person.last}{int(person.number) % 100}"

    return text.lower().replace(" ", "").replace("'", "")


def one_letter_typo(rng: random.Random, word: str) -> str:
    """Change one letter of a word: substitute, drop, double or swap."""
    letters = "aeioubcdfghklmnprstvy"
    while True:
        i = rng.randrange(1, len(word)) if len(word) > 1 else 0
        edit = rng.choice(("substitute", "drop", "insert", "swap"))
        if edit == "substitute":
            typo = word[:i] + rng.choice(letters) + word[i + 1 :]
        elif edit == "drop" and len(word) > 3:
            typo = word[:i] + word[i + 1 :]
        elif edit == "insert":
            typo = word[:i] + rng.choice(letters) + word[i:]
        elif edit == "swap" and i + 1 < len(word):
            typo = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        else:
            continue

        if typo.lower() != word.lower():
            return typo


def perturbed_case(
    district: District, kind: str
) -> tuple[Person, SisUser, SchoologyUser]:
    """Invent one person, their SIS record and their perturbed Schoology record."""
    rng = district.random
    if kind == "nickname":
        person = district.person(first=district.first_name(formal=True))
    elif kind == "married":
        person = district.person(role=rng.choice((Role.STAFF, Role.STAFF, Role.PARENT)))
    elif kind == "hyphen":
        person = district.person()
        parts = [district.surname(), district.surname()]
        while " " in parts[0] + parts[1] or parts[0] == parts[1]:
            parts = [district.surname(), district.surname()]
        person.last = "-".join(parts)
    elif kind == "middle_as_first":
        person = district.person(middle=district.first_name())
    else:
        person = district.person()

    middle_initial = rng.random() < 0.3 if kind == "middle_as_first" else None
    sis_user = district.sis_user(person, middle_initial)
    user = district.schoology_user(person, sis_user)

    if kind == "nickname":
        nickname = rng.choice(NICKNAMES[person.first])
        if rng.random() < 0.2:
            # The SIS stores the short form and Schoology the formal one.
            sis_user.first_name = nickname
        else:
            user.first_name = nickname
    elif kind == "middle_as_first":
        user.first_name = person.middle
        user.middle_name = ""
    elif kind == "married":
        new_last = district.surname()
        while new_last == person.last:
            new_last = district.surname()
        user.last_name = new_last
        if rng.random() < 0.6:
            # The district kept the address issued before the name changed.
            user.email = sis_user.email
            user.username = sis_user.username
    elif kind == "typo":
        if rng.random() < 0.8:
            user.last_name = one_letter_typo(rng, person.last)
        else:
            user.first_name = one_letter_typo(rng, person.first)
    elif kind == "hyphen":
        kept_part = rng.choice(person.last.split("-"))
        if rng.random() < 0.25:
            # The hyphenated form is on the Schoology side.
            sis_user.last_name = kept_part
        else:
            user.last_name = kept_part
    elif kind == "swapped":
        user.first_name, user.last_name = person.last, person.first
    elif kind == "personal_email":
        local = f"{person.first}{person.last[0]}{rng.randint(1, 2015)}"
        local = local.lower().replace(" ", "").replace("'", "")
        user.email = f"{local}@{rng.choice(PERSONAL_DOMAINS)}"
        user.username = local

    return person, sis_user, user


def look_alike(district: District, person: Person) -> Person:
    """Invent someone easy to mistake for a person: sibling, namesake or near name."""
    rng = district.random
    roll = rng.random()
    if roll < 0.45 and person.role is Role.STUDENT:
        grade = min(12, max(0, person.grade + rng.choice((-3, -2, 2, 3))))
        first = district.first_name()
        while first == person.first:
            first = district.first_name()
        return district.person(
            Role.STUDENT,
            first=first,
            last=person.last,
            grade=grade,
            school=district.school_for(grade),
        )

    if roll < 0.75:
        other = district.person(person.role, first=person.first, last=person.last)
        return other

    first = person.first
    if first in NICKNAMES:
        first = rng.choice(NICKNAMES[first])
    else:
        first = one_letter_typo(rng, first)

    return district.person(person.role, first=first, last=person.last)


def build(users: int, pool_size: int, seed: int):
    """Build the labelled cases and the SIS pool."""
    district = District(seed)
    per_kind = users // len(KINDS)
    cases: list[Case] = []
    pool: list[SisUser] = []
    people: list[Person] = []
    for kind in KINDS[:-1]:
        for _ in range(per_kind):
            person, sis_user, user = perturbed_case(district, kind)
            pool.append(sis_user)
            people.append(person)
            cases.append(Case(user, kind, sis_user.local_id))

    missing = users - len(cases)
    if pool_size < len(pool):
        sys.exit(f"--pool {pool_size} is too small: the true pairs need {len(pool)}.")

    while len(pool) < pool_size:
        pool.append(
            district.sis_user(look_alike(district, district.random.choice(people)))
        )

    for _ in range(missing):
        # Half are look-alikes of someone in the pool, half are strangers.
        if district.random.random() < 0.5:
            person = look_alike(district, district.random.choice(people))
        else:
            person = district.person()
        cases.append(
            Case(district.schoology_user(person, None), "no_counterpart", None)
        )

    district.random.shuffle(pool)
    district.random.shuffle(cases)

    return cases, pool


def run_suggestions(cases: list[Case], pool: list[SisUser]) -> dict[str, list]:
    results = suggest([case.user for case in cases], pool, school_year_end=YEAR_END)

    return {
        key: [(item.local_id, item.score) for item in items]
        for key, items in results.items()
    }


def run_baseline(cases: list[Case], pool: list[SisUser]) -> dict[str, list]:
    """Rank the pool by token-sort ratio on "first last" within the same role."""
    by_role: dict[Role, list[SisUser]] = defaultdict(list)
    for sis_user in pool:
        by_role[sis_user.role].append(sis_user)

    choices = {
        role: [utils.default_process(f"{u.first_name} {u.last_name}") for u in users]
        for role, users in by_role.items()
    }
    results = {}
    for case in cases:
        user = case.user
        query = utils.default_process(f"{user.first_name} {user.last_name}")
        found = process.extract(
            query, choices[user.role], scorer=fuzz.token_sort_ratio, limit=3
        )
        results[user.schoology_id] = [
            (by_role[user.role][index].local_id, int(score))
            for _c, score, index in found
        ]

    return results


def measure(run, cases, pool, memory: bool) -> tuple[dict, float, float, float | None]:
    """Run one method, timed in wall and CPU seconds.

    With ``memory`` it runs again under tracemalloc, which slows it down, for
    the peak of memory allocated by Python.
    """
    start = time.perf_counter()
    cpu_start = time.process_time()
    results = run(cases, pool)
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    peak = None
    if memory:
        tracemalloc.start()
        run(cases, pool)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()

    return results, seconds, cpu_seconds, peak


def figures(cases: list[Case], results: dict[str, list]) -> dict[str, dict[str, float]]:
    """Compute each figure per kind and in total."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for case in cases:
        ranked = results.get(case.user.schoology_id, [])
        top_id, top_score = ranked[0] if ranked else (None, -1)
        for group in (case.kind, "total"):
            count = counts[group]
            count["cases"] += 1
            strong = top_score >= STRONG
            if case.truth is None:
                count["no_counterpart"] += 1
                count["strong"] += strong
                count["false_strong"] += strong
                count["none_strong"] += strong
                continue

            count["pairs"] += 1
            count["at_1"] += top_id == case.truth
            count["at_3"] += case.truth in [local_id for local_id, _ in ranked[:3]]
            count["strong"] += strong
            count["right_strong"] += strong and top_id == case.truth
            count["false_strong"] += strong and top_id != case.truth

    table = {}
    for group, count in counts.items():
        pairs = count["pairs"] or 1
        table[group] = {
            "recall@1": count["at_1"] / pairs if count["pairs"] else None,
            "recall@3": count["at_3"] / pairs if count["pairs"] else None,
            "precision@90": (
                (count["strong"] - count["false_strong"]) / count["strong"]
                if count["strong"] and count["pairs"]
                else None
            ),
            "found@90": count["right_strong"] / pairs if count["pairs"] else None,
            "none@90": (
                count["none_strong"] / count["no_counterpart"]
                if count["no_counterpart"]
                else None
            ),
        }

    return table


COLUMNS = ("recall@1", "recall@3", "precision@90", "found@90", "none@90")


def print_table(title: str, tables: list[dict[str, dict[str, float]]]) -> None:
    """Print Markdown rows per kind; with several tables, cells read "a / b"."""
    print(f"\n{title}")
    print(f"| kind | {' | '.join(COLUMNS)} |")
    print("|---" * (len(COLUMNS) + 1) + "|")
    for group in (*KINDS, "total"):
        cells = []
        for column in COLUMNS:
            values = [table.get(group, {}).get(column) for table in tables]
            texts = ["-" if value is None else f"{value:.3f}" for value in values]
            cells.append(
                " / ".join(texts) if any(v is not None for v in values) else "-"
            )
        print(f"| {group} | {' | '.join(cells)} |")


def print_name_shares(pool: list[SisUser]) -> None:
    """Print how common the commonest names of the pool are, as its hardness."""
    firsts = Counter(user.first_name for user in pool)
    lasts = Counter(user.last_name for user in pool)
    pairs = Counter((user.first_name, user.last_name) for user in pool)
    shared = sum(count for count in pairs.values() if count > 1)
    for label, counts in (("first name", firsts), ("last name", lasts)):
        name, count = counts.most_common(1)[0]
        print(f"commonest {label}: {name}, {count / len(pool):.1%} of the pool")

    print(f"SIS users who share their first and last name: {shared / len(pool):.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--users", type=int, default=20_000, help="unmatched Schoology users"
    )
    parser.add_argument(
        "--pool", type=int, default=20_000, help="SIS users in the pool"
    )
    parser.add_argument(
        "--seed", type=int, default=7, help="seed of the random generator"
    )
    parser.add_argument(
        "--no-baseline", action="store_true", help="skip the token-sort baseline"
    )
    parser.add_argument(
        "--no-memory", action="store_true", help="skip the second run under tracemalloc"
    )
    args = parser.parse_args()

    cases, pool = build(args.users, args.pool, args.seed)
    print(
        f"{len(cases)} unmatched Schoology users, {len(pool)} SIS users in the pool, "
        f"seed {args.seed}; Python {platform.python_version()} on {platform.machine()}"
    )
    print_name_shares(pool)

    methods = [("suggest", run_suggestions)]
    if not args.no_baseline:
        methods.append(("baseline: token-sort ratio on the full name", run_baseline))

    tables = []
    for name, run in methods:
        results, seconds, cpu_seconds, peak = measure(
            run, cases, pool, not args.no_memory
        )
        tables.append(figures(cases, results))
        print_table(name, tables[-1:])
        memory = "" if peak is None else f", peak traced memory {peak:.0f} MiB"
        print(f"{name}: {seconds:.2f} s wall, {cpu_seconds:.2f} s CPU{memory}")

    if len(tables) > 1:
        print_table("side by side: suggest / baseline", tables)


if __name__ == "__main__":
    main()
