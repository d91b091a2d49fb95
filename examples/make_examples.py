"""Write the example district's exports from the one list of people below.

Run ``.venv/bin/python examples/make_examples.py`` from the repository root
after changing the list. It rewrites the Schoology export, the OneRoster 1.1
and 1.2 folders and the PowerSchool folder. Every name, email and ID is
invented, and every email uses an example.org or example.net domain.
"""

from __future__ import annotations

import codecs
import csv
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODIFIED = "2026-08-20T07:15:00.000Z"

ORGS = {
    "ORG-MRSD": ("Maple Ridge School District", "district", ""),
    "ORG-CCE": ("Cedar Creek Elementary", "school", "ORG-MRSD"),
    "ORG-MRMS": ("Maple Ridge Middle School", "school", "ORG-MRSD"),
    "ORG-MRHS": ("Maple Ridge High School", "school", "ORG-MRSD"),
}
POWERSCHOOL_SCHOOL_IDS = {"ORG-CCE": "100", "ORG-MRMS": "200", "ORG-MRHS": "300"}
GRAD_YEARS = {f"{grade:02d}": str(2039 - grade) for grade in range(1, 13)}


@dataclass
class Person:
    """One SIS record. ``dcid`` and ``ps_number`` are its PowerSchool IDs."""

    key: str
    role: str
    first: str
    last: str
    email: str
    username: str
    number: str
    orgs: list[str]
    grade: str = ""
    middle: str = ""
    status: str = "active"
    agents: list[str] = field(default_factory=list)
    dcid: str = ""
    ps_number: str = ""
    secondary_role: str = ""


@dataclass
class Account:
    """One Schoology account."""

    schoology_id: str
    first: str
    last: str
    email: str
    username: str
    unique_id: str
    role: str
    school: str
    grad_year: str = ""
    middle: str = ""
    additional: str = ""


def student(key, first, last, number, org, grade, dcid, **extra) -> Person:
    email = f"{first.lower()}.{last.lower()}@students.example.org"
    username = f"{first[0].lower()}{last.lower()}{grade}"
    return Person(
        key=key,
        role="student",
        first=first,
        last=last,
        email=extra.pop("email", email),
        username=username,
        number=number,
        orgs=[org] if isinstance(org, str) else org,
        grade=grade,
        dcid=dcid,
        ps_number=extra.pop("ps_number", number),
        **extra,
    )


def adult(key, role, first, last, number, org, dcid="", **extra) -> Person:
    email = f"{first.lower()}.{last.lower()}@example.org"
    if role in ("parent", "guardian", "relative"):
        email = f"{first.lower()}.{last.lower()}@example.net"
    return Person(
        key=key,
        role=role,
        first=first,
        last=last,
        email=extra.pop("email", email),
        username=extra.pop("username", f"{first[0].lower()}{last.lower()}"),
        number=number,
        orgs=[org],
        dcid=dcid,
        ps_number=number,
        **extra,
    )


# The tables below stay in columns for reading, so the formatter leaves them.
# fmt: off
PEOPLE = [
    # Students.
    student("S88213", "Ava", "Thompson", "100231", "ORG-MRHS", "10", "5101",
            middle="June", agents=["P2211"]),
    student("004512", "Liam", "Carter", "004512", "ORG-MRMS", "07", "5102",
            agents=["P2214"]),
    student("20250000000178342", "Noah", "Patel", "20250000000178342",
            "ORG-MRHS", "11", "5103", agents=["P2213"]),
    student("S88240", "Maya", "Okafor", "100240", "ORG-MRHS", "09", "5104",
            agents=["P2212"]),
    student("S88251", "Ethan", "Brooks", "100251", ["ORG-MRMS", "ORG-MRHS"],
            "08", "5105", agents=["P2215"]),
    student("S88262", "Zoë", "Ångström", "100262", "ORG-MRMS", "06", "5106",
            email="zoe.angstrom@students.example.org"),
    student("S88273", "José", "Núñez", "100273", "ORG-CCE", "05", "5107",
            email="jose.nunez@students.example.org", agents=["P2218"]),
    student("S88295", "Harper", "Nguyen", "", "ORG-CCE", "03", "5108",
            ps_number=""),
    student("S88306", "Mateo", "García", "100306", "ORG-CCE", "02", "5109",
            email="mateo.garcia@students.example.org"),
    student("S88317", "Aria", "Kim", "100317", "ORG-MRMS", "06", "5110"),
    student("S88328", "Elijah", "Ross", "100328", "ORG-MRHS", "09", "5111"),
    student("S88339", "Olivia", "Bennett", "100339", "ORG-CCE", "04", "5112",
            agents=["P2217"]),
    student("S88340", "Lucas", "Meyer", "100340", "ORG-CCE", "05", "5113",
            agents=["P2221"]),
    student("S88351", "Sophia", "Rossi", "100351", "ORG-CCE", "02", "5114",
            agents=["P2222"]),
    student("S88362", "Mason", "Clarke", "100362", "ORG-CCE", "01", "5115"),
    student("S88373", "Isabella", "Turner", "100373", "ORG-MRMS", "07", "5116"),
    student("S88384", "James", "Walker", "100384", "ORG-MRMS", "08", "5117"),
    student("S88395", "Mia", "Fischer", "100395", "ORG-MRMS", "06", "5118"),
    student("S88406", "Benjamin", "Hughes", "100406", "ORG-MRHS", "12", "5119"),
    student("S88417", "Charlotte", "Evans", "100417", "ORG-MRHS", "11", "5120"),
    student("S88428", "Henry", "Foster", "100428", "ORG-MRHS", "10", "5121"),
    student("S88439", "Amelia", "Ward", "100439", "ORG-MRHS", "09", "5122",
            agents=["P2220"]),
    student("S88440", "Jack", "Collins", "100440", "ORG-MRHS", "12", "5123"),
    student("S88451", "Evelyn", "Price", "100451", "ORG-CCE", "03", "5124"),
    student("S88462", "Leo", "Sanders", "100462", "ORG-CCE", "04", "5125"),
    student("S88473", "Grace", "Howell", "100473", "ORG-MRMS", "08", "5126",
            status="tobedeleted"),
    student("S88484", "Sofia", "Reyes", "100484", "ORG-MRMS", "06", "5127",
            agents=["P2210"]),
    # Teachers, staff and administrators.
    adult("T1042", "teacher", "Daniel", "Reyes", "7042", "ORG-MRHS", "301"),
    adult("T1043", "teacher", "Robert", "Lindqvist", "7043", "ORG-MRMS", "302",
          username="rlindqvist"),
    adult("T1044", "teacher", "Karen", "Brandt", "7044", "ORG-CCE", "303",
          username="khale"),
    adult("T1045", "teacher", "Lena", "Fischer", "7045", "ORG-CCE", "304"),
    adult("T1046", "teacher", "Marcus", "Hill", "7046", "ORG-MRHS", "305"),
    adult("T1047", "teacher", "Priya", "Raman", "7047", "ORG-MRMS", "306"),
    adult("T1048", "teacher", "Owen", "Gallagher", "7048", "ORG-CCE", "307"),
    adult("T1049", "administrator", "Helen", "Park", "7049", "ORG-MRSD", "308"),
    adult("T1050", "teacher", "Samuel", "Osei", "7050", "ORG-MRHS", "309"),
    adult("T1051", "aide", "Rachel", "Kowalski", "7051", "ORG-CCE", "310",
          secondary_role="guardian"),
    # Parents and guardians. PowerSchool exports no parents.
    adult("P2210", "parent", "Daniel", "Reyes", "", "ORG-MRMS",
          email="daniel.reyes@example.org", agents=["S88484"]),
    adult("P2211", "parent", "Angela", "Thompson", "", "ORG-MRHS",
          agents=["S88213"]),
    adult("P2212", "parent", "Victor", "Okafor", "", "ORG-MRHS",
          agents=["S88240"]),
    adult("P2213", "guardian", "Nadia", "Patel", "", "ORG-MRHS",
          agents=["20250000000178342"]),
    adult("P2214", "relative", "Thomas", "Carter", "", "ORG-MRMS",
          agents=["004512"]),
    adult("P2215", "parent", "Linda", "Brooks", "", "ORG-MRMS",
          agents=["S88251"]),
    adult("P2217", "parent", "Sarah", "Bennett", "", "ORG-CCE",
          agents=["S88339"]),
    adult("P2218", "parent", "Jorge", "Núñez", "", "ORG-CCE",
          email="jorge.nunez@example.net", agents=["S88273"]),
    adult("P2220", "parent", "Fatima", "Hassan", "", "ORG-MRHS",
          agents=["S88439"]),
    adult("P2221", "parent", "Paul", "Meyer", "", "ORG-CCE", agents=["S88340"]),
    adult("P2222", "parent", "Ingrid", "Rossi", "", "ORG-CCE",
          agents=["S88351"]),
]

HS, MS, ES = (ORGS[org][0] for org in ("ORG-MRHS", "ORG-MRMS", "ORG-CCE"))
DISTRICT = ORGS["ORG-MRSD"][0]

ACCOUNTS = [
    Account("104857301", "Ava", "Thompson", "ava.thompson@students.example.org",
            "athompson10", "1_S88213", "Student", HS, "2029", middle="June"),
    Account("104857302", "Liam", "Carter", "liam.carter@students.example.org",
            "lcarter07", "004512", "Student", MS, "2032"),
    Account("104857303", "Noah", "Patel", "noah.patel@students.example.org",
            "npatel11", "20250000000178342", "Student", HS, "2028"),
    Account("104857304", "Maya", "Okafor", " Maya.Okafor@Students.Example.org ",
            "mokafor09", "100240", "Student", HS, "2030"),
    Account("104857305", "Ethan", "Brooks", "ethan.brooks@students.example.org",
            "ebrooks08", "100251", "Student", MS, "2031", additional=HS),
    Account("104857306", "Zoë", "Ångström", "zoe.angstrom@students.example.org",
            "zangstrom06", "100262", "Student", MS, "2033"),
    Account("104857307", "José", "Núñez", "jose.nunez@students.example.org",
            "jnunez05", "100273", "Student", ES, "2034"),
    Account("104857308", "Harper", "Nguyen", "harper.nguyen@students.example.org",
            "hnguyen03", "hnguyen03", "Student", ES, "2036"),
    Account("104857309", "Olivia", "Bennett",
            "olivia.bennett@students.example.org", "obennett04", "100339",
            "Student", ES, "2035"),
    Account("104857310", "Lucas", "Meyer", "lucas.meyer@students.example.org",
            "lmeyer05", "100340", "Student", ES, "2034"),
    Account("104857311", "Sophia", "Rossi", "sophia.rossi@students.example.org",
            "srossi02", "100351", "Student", ES, "2037"),
    Account("104857312", "Mason", "Clarke", "mason.clarke@students.example.org",
            "mclarke01", "100362", "Student", ES, "2038"),
    Account("104857313", "Isabella", "Turner",
            "isabella.turner@students.example.org", "iturner07", "100373",
            "Student", MS, "2032"),
    Account("104857314", "James", "Walker", "james.walker@students.example.org",
            "jwalker08", "100384", "Student", MS, "2031"),
    Account("104857315", "Mia", "Fischer", "mia.fischer@students.example.org",
            "mfischer06", "100395", "Student", MS, "2033"),
    Account("104857316", "Benjamin", "Hughes",
            "benjamin.hughes@students.example.org", "bhughes12", "100406",
            "Student", HS, "2027"),
    Account("104857317", "Charlotte", "Evans",
            "charlotte.evans@students.example.org", "cevans11", "100417",
            "Student", HS, "2028"),
    Account("104857318", "Henry", "Foster", "henry.foster@students.example.org",
            "hfoster10", "100428", "Student", HS, "2029"),
    Account("104857319", "Amelia", "Ward", "amelia.ward@students.example.org",
            "award09", "100439", "Student", HS, "2030"),
    Account("104857320", "Jack", "Collins", "jack.collins@students.example.org",
            "jcollins12", "100440", "Student", HS, "2027"),
    Account("104857321", "Evelyn", "Price", "evelyn.price@students.example.org",
            "eprice03", "100451", "Student", ES, "2036"),
    Account("104857322", "Leo", "Sanders", "leo.sanders@students.example.org",
            "lsanders04", "100462", "Student", ES, "2035"),
    Account("104857323", "Grace", "Howell", "grace.howell@students.example.org",
            "ghowell08", "100473", "Student", MS, "2031"),
    Account("104857324", "Sofia", "Reyes", "sofia.reyes@students.example.org",
            "sreyes06", "100484", "Student", MS, "2033"),
    Account("104857325", "Test", "Student", "test.student@students.example.org",
            "teststudent", "teststudent", "Student", HS),
    Account("104857401", "Daniel", "Reyes", "daniel.reyes@example.org",
            "dreyes", "dreyes", "Teacher", HS),
    Account("104857402", "Bob", "Lindqvist", "bob.lindqvist@example.org",
            "blindqvist", "blindqvist", "Teacher", MS),
    Account("104857403", "Karen", "Hale", "karen.hale@example.org", "khale",
            "khale", "Teacher", ES),
    Account("104857404", "Lena", "Fischer", "lena.fischer@example.org",
            "lfischer", "lfischer", "Teacher", ES),
    Account("104857405", "Lena", "Fischer", "lena.fischer@example.org",
            "lfischer.admin", "lfischer.admin", "School Admin", ES),
    Account("104857406", "Marcus", "Hill", "marcus.hill@example.org", "mhill",
            "mhill", "Teacher", HS),
    Account("104857407", "Priya", "Raman", "priya.raman@example.org", "praman",
            "praman", "Teacher", MS),
    Account("104857408", "Owen", "Gallagher", "owen.gallagher@example.org",
            "ogallagher", "ogallagher", "Teacher", ES),
    Account("104857409", "Helen", "Park", "helen.park@example.org", "hpark",
            "hpark", "District Admin", DISTRICT),
    Account("104857410", "Rachel", "Kowalski", "rachel.kowalski@example.org",
            "rkowalski", "rkowalski", "Teacher Aide", ES),
    Account("104857411", "Greg", "Morton", "greg.morton@example.org", "gmorton",
            "gmorton", "Teacher", HS),
    Account("104857501", "Angela", "Thompson", "angela.thompson@example.net",
            "angela.thompson", "angela.thompson@example.net", "Parent", HS),
    Account("104857502", "Victor", "Okafor", "victor.okafor@example.net",
            "victor.okafor", "victor.okafor@example.net", "Parent", HS),
    Account("104857503", "Nadia", "Patel", "nadia.patel@example.net",
            "nadia.patel", "nadia.patel@example.net", "Parent", HS),
    Account("104857504", "Thomas", "Carter", "thomas.carter@example.net",
            "thomas.carter", "thomas.carter@example.net", "Parent", MS),
    Account("104857505", "Sarah", "Bennett", "sarah.bennett@example.net",
            "sarah.bennett", "sarah.bennett@example.net", "Parent", ES),
    Account("104857506", "Jorge", "Núñez", "jorge.nunez@example.net",
            "jorge.nunez", "jorge.nunez@example.net", "Parent", ES),
    Account("104857507", "Fatima", "Hassan", "fatima.hassan@example.net",
            "fatima.hassan", "fatima.hassan@example.net", "Parent", HS),
    Account("104857508", "Paul", "Meyer", "paul.meyer@example.net",
            "paul.meyer", "paul.meyer@example.net", "Parent", ES),
    Account("104857509", "Ingrid", "Rossi", "ingrid.rossi@example.net",
            "ingrid.rossi", "ingrid.rossi@example.net", "Parent", ES),
    Account("104857510", "Mark", "Ellison", "mark.ellison@example.net",
            "mark.ellison", "mark.ellison@example.net", "Parent", MS),
]

# fmt: on

SCHOOLOGY_HEADER = [
    "First Name",
    "Middle Name",
    "Last Name",
    "Username",
    "E-mail",
    "User Unique ID",
    "Role",
    "Building or School",
    "Grad Year",
    "Additional Schools",
    "Schoology User ID",
]
USERS_1_1_HEADER = [
    "sourcedId",
    "status",
    "dateLastModified",
    "enabledUser",
    "orgSourcedIds",
    "role",
    "username",
    "userIds",
    "givenName",
    "familyName",
    "middleName",
    "identifier",
    "email",
    "sms",
    "phone",
    "agentSourcedIds",
    "grades",
    "password",
]
USERS_1_2_HEADER = [
    "sourcedId",
    "status",
    "dateLastModified",
    "enabledUser",
    "username",
    "userIds",
    "givenName",
    "familyName",
    "middleName",
    "identifier",
    "email",
    "sms",
    "phone",
    "agentSourcedIds",
    "grades",
    "password",
    "userMasterIdentifier",
    "resourceSourcedIds",
    "preferredGivenName",
    "preferredMiddleName",
    "preferredFamilyName",
    "primaryOrgSourcedId",
    "pronouns",
]
ROLES_HEADER = [
    "sourcedId",
    "status",
    "dateLastModified",
    "userSourcedId",
    "roleType",
    "role",
    "beginDate",
    "endDate",
    "orgSourcedId",
    "userProfileSourcedId",
]
ORGS_HEADER = [
    "sourcedId",
    "status",
    "dateLastModified",
    "name",
    "type",
    "identifier",
    "parentSourcedId",
]
STUDENTS_HEADER = [
    "DCID",
    "ID",
    "Student_Number",
    "First_Name",
    "Middle_Name",
    "Last_Name",
    "Email",
    "SchoolID",
    "Grade_Level",
    "Enroll_Status",
    "Student_Web_ID",
]
STAFF_HEADER = [
    "DCID",
    "TeacherNumber",
    "First_Name",
    "Last_Name",
    "Email_Addr",
    "SchoolID",
    "Status",
]


def write(path: Path, header: list[str], rows: list[list[str]], bom=False):
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as stream:
        if bom:
            stream.write(codecs.BOM_UTF8.decode("utf-8"))
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)


def org_rows() -> list[list[str]]:
    return [
        [key, "active", MODIFIED, name, kind, key.removeprefix("ORG-"), parent]
        for key, (name, kind, parent) in ORGS.items()
    ]


def schoology_rows() -> list[list[str]]:
    return [
        [
            a.first,
            a.middle,
            a.last,
            a.username,
            a.email,
            a.unique_id,
            a.role,
            a.school,
            a.grad_year,
            a.additional,
            a.schoology_id,
        ]
        for a in ACCOUNTS
    ]


def users_1_1_rows() -> list[list[str]]:
    return [
        [
            p.key,
            p.status,
            MODIFIED,
            "true",
            ",".join(p.orgs),
            p.role,
            p.username,
            "",
            p.first,
            p.last,
            p.middle,
            p.number,
            p.email,
            "",
            "",
            ",".join(p.agents),
            p.grade,
            "",
        ]
        for p in PEOPLE
    ]


def users_1_2_rows() -> list[list[str]]:
    return [
        [
            p.key,
            p.status,
            MODIFIED,
            "true",
            p.username,
            "",
            p.first,
            p.last,
            p.middle,
            p.number,
            p.email,
            "",
            "",
            ",".join(p.agents),
            p.grade,
            "",
            "",
            "",
            "",
            "",
            "",
            p.orgs[0],
            "",
        ]
        for p in PEOPLE
    ]


def role_rows() -> list[list[str]]:
    """List one primary role per person at their first org, then the others.

    A student at two schools gets a secondary student role at the second
    school, and a secondary role of another kind stays on the same record.
    """
    rows = []
    for p in PEOPLE:
        rows.append(
            [
                f"R-{p.key}-1",
                p.status,
                MODIFIED,
                p.key,
                "primary",
                p.role,
                "2026-08-15",
                "",
                p.orgs[0],
                "",
            ]
        )
        for number, org in enumerate(p.orgs[1:], start=2):
            rows.append(
                [
                    f"R-{p.key}-{number}",
                    p.status,
                    MODIFIED,
                    p.key,
                    "secondary",
                    p.role,
                    "2026-08-15",
                    "",
                    org,
                    "",
                ]
            )
        if p.secondary_role:
            rows.append(
                [
                    f"R-{p.key}-9",
                    p.status,
                    MODIFIED,
                    p.key,
                    "secondary",
                    p.secondary_role,
                    "2026-08-15",
                    "",
                    p.orgs[0],
                    "",
                ]
            )

    return rows


def powerschool_rows() -> tuple[list[list[str]], list[list[str]]]:
    """List the PowerSchool students (one row per school) and staff."""
    students, staff = [], []
    for p in PEOPLE:
        if not p.dcid:
            continue
        schools = [POWERSCHOOL_SCHOOL_IDS.get(org, "0") for org in p.orgs]
        if p.role == "student":
            enroll_status = "2" if p.status == "tobedeleted" else "0"
            for school in schools:
                students.append(
                    [
                        p.dcid,
                        str(int(p.dcid) - 5000),
                        p.ps_number,
                        p.first,
                        p.middle,
                        p.last,
                        p.email,
                        school,
                        str(int(p.grade)),
                        enroll_status,
                        p.username,
                    ]
                )
        else:
            staff.append(
                [p.dcid, p.ps_number, p.first, p.last, p.email, schools[0], "1"]
            )
    staff.append(
        ["311", "7052", "Greg", "Morton", "greg.morton@example.org", "300", "2"]
    )

    return students, staff


def main() -> None:
    write(
        HERE / "schoology" / "users.csv", SCHOOLOGY_HEADER, schoology_rows(), bom=True
    )
    write(HERE / "oneroster" / "users.csv", USERS_1_1_HEADER, users_1_1_rows())
    write(HERE / "oneroster" / "orgs.csv", ORGS_HEADER, org_rows())
    folder = HERE / "oneroster-1.2"
    write(folder / "users.csv", USERS_1_2_HEADER, users_1_2_rows())
    write(folder / "roles.csv", ROLES_HEADER, role_rows())
    write(folder / "orgs.csv", ORGS_HEADER, org_rows())
    students, staff = powerschool_rows()
    write(HERE / "powerschool" / "students.csv", STUDENTS_HEADER, students)
    write(HERE / "powerschool" / "staff.csv", STAFF_HEADER, staff)


if __name__ == "__main__":
    main()
