import server.core.suggest as suggest_module
from server.core.model import Role, SchoologyUser, SisUser
from server.core.suggest import suggest
from server.core.suggest.blocking import (
    MAX_BLOCK_SIZE,
    MAX_CANDIDATES,
    BlockIndex,
    blocking_keys,
)
from server.core.suggest.profile import schoology_profile, sis_profile

YEAR_END = 2027
FIRST_NAMES = ["Maren", "Tobin", "Ilse", "Corwin", "Wren", "Ansel", "Petra", "Idris"]
LAST_NAMES = ["Ashgrove", "Brindle", "Colfax", "Dunmore", "Evers", "Fairweather"]


def sis_user(index, first, last, school="Alder Creek Elementary"):
    return SisUser(
        line=index + 2,
        source="users.csv",
        local_id=f"1_S{index:05d}",
        sis_key=f"S{index:05d}",
        number=f"{index:06d}",
        first_name=first,
        middle_name="",
        last_name=last,
        username="",
        email="",
        role=Role.STUDENT,
        role_name="student",
        school=school,
        grade="4",
    )


def schoology_user(index, first, last):
    return SchoologyUser(
        line=index + 2,
        schoology_id=f"90{index:05d}",
        unique_id="",
        first_name=first,
        middle_name="",
        last_name=last,
        username="",
        email="",
        role=Role.STUDENT,
        role_name="Student",
        school="Alder Creek Elementary",
        grad_year="2035",
    )


def district_pool(size):
    """Invent SIS students whose names repeat, as in a real district."""
    return [
        sis_user(
            index,
            FIRST_NAMES[index % len(FIRST_NAMES)],
            f"{LAST_NAMES[index % len(LAST_NAMES)]}{index // 48}",
        )
        for index in range(size)
    ]


def test_block_finds_every_key():
    pool = [sis_profile(user, YEAR_END) for user in district_pool(300)]
    index = BlockIndex(pool)

    for position, profile in enumerate(pool):
        for _kind, key in blocking_keys(profile):
            assert position in index.block(key), key


def test_block_of_unknown_key_is_empty():
    pool = [sis_profile(user, YEAR_END) for user in district_pool(300)]
    index = BlockIndex(pool)

    assert index.block("1n|nobody|nowhere") == []


def test_block_too_large_is_empty():
    # Every one of them shares the name key "Maren Ashgrove".
    users = [sis_user(i, "Maren", "Ashgrove") for i in range(MAX_BLOCK_SIZE + 1)]
    index = BlockIndex([sis_profile(user, YEAR_END) for user in users])
    key = next(
        key
        for kind, key in blocking_keys(sis_profile(users[0], YEAR_END))
        if kind == "name"
    )

    assert index.block(key) == []


def test_block_at_max_size_is_kept():
    users = [sis_user(i, "Maren", "Ashgrove") for i in range(MAX_BLOCK_SIZE)]
    index = BlockIndex([sis_profile(user, YEAR_END) for user in users])
    key = next(
        key
        for kind, key in blocking_keys(sis_profile(users[0], YEAR_END))
        if kind == "name"
    )

    assert sorted(index.block(key)) == list(range(MAX_BLOCK_SIZE))


def test_candidates_share_a_key():
    pool = [sis_profile(user, YEAR_END) for user in district_pool(500)]
    index = BlockIndex(pool)
    profile = schoology_profile(schoology_user(1, "Tobin", "Brindle0"))
    keys = {key for _kind, key in blocking_keys(profile)}

    candidates = index.candidates(profile)

    assert candidates
    assert len(candidates) <= MAX_CANDIDATES
    for position in candidates:
        pool_keys = {key for _kind, key in blocking_keys(pool[position])}
        assert keys & pool_keys


def test_suggest_compares_few_pairs(monkeypatch):
    size = 2000
    calls = 0
    real_compare = suggest_module.compare

    def counting_compare(*args):
        nonlocal calls
        calls += 1
        return real_compare(*args)

    monkeypatch.setattr(suggest_module, "compare", counting_compare)
    pool = district_pool(size)
    users = [
        schoology_user(i, user.first_name, user.last_name)
        for i, user in enumerate(pool)
    ]

    results = suggest(users, pool, school_year_end=YEAR_END)

    assert len(results) == size
    # Comparing every pair would take size * size calls.
    assert calls <= size * MAX_CANDIDATES
