"""The shared fixtures are one plugin package, tests/fixtures/ (its __init__ says what is where),
loaded here once for the whole suite."""

pytest_plugins = [
    "tests.fixtures.database",
    "tests.fixtures.environment",
    "tests.fixtures.personas",
    "tests.fixtures.regions",
    "tests.fixtures.screening",
    "tests.fixtures.council",
    "tests.fixtures.fund_history",
    "tests.fixtures.processes",
]
