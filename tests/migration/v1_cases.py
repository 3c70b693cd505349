"""A corpus of 1.x set-ups (config.toml, backend.toml, environment) for the differential tests.

Each case is what a 1.x user could really have had; values are fake. `$HOME` is the
case's temporary home directory.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class V1Case:
    id: str
    config: str | None = None
    backend: str | None = None
    env: dict[str, str] = field(default_factory=dict)
    # --map overrides the migration needs for this case (a typed name holding another shape).
    maps: dict[str, str] = field(default_factory=dict)


CASES = [
    V1Case(
        "plain-strings",
        config='[context.secrets]\nGITHUB_ACCESS_TOKEN = "ghp_fakeFAKEfake0123456789abcdefABCDEF01"\nNOTE = "hello world"\n',
    ),
    V1Case(
        "reference-example",
        config="""
[context.secrets]
GITHUB_ACCESS_TOKEN = "ghp_fakeFAKEfake0123456789abcdefABCDEF01"
SLACK_WEBHOOK_URL = "$MY_HOOK"
PORT = "12345"
ZERO = "007"
FLAG = "TRUE"
PAIR = "1,2"
DOC = '{"a": true, "b": null}'
REF = "${context.secrets.PORT}"
[context.secrets.AWS_CREDENTIALS]
ACCESS_KEY = "AKIAFAKEFAKEFAKE"
SECRET_ACCESS_KEY = "$AWS_SECRET"
""",
        env={"MY_HOOK": "https://hooks.slack.com/services/TFAKE/BFAKE/fakefakefake", "AWS_SECRET": "fake/aws+secret"},
    ),
    V1Case(
        "braces-and-unset-vars",
        config='[context.secrets]\nA = "${MY_VAR}-x"\nB = "$UNSET_VAR_XYZ"\nC = "pre ${UNSET_VAR_XYZ} post"\n',
        env={"MY_VAR": "value"},
    ),
    V1Case("tilde", config='[context.secrets]\nKEY_FILE = "~/keys/id_rsa"\nNOT_HOME = "a~b"\n'),
    V1Case(
        "string-to-type",
        config="""
[context.secrets]
INT = "12345"
HEX = "0x1F"
OCT = "007"
FLOAT = "1e3"
BOOL_T = "true"
BOOL_F = "FaLsE"
NONE = "None"
LIST = "[1, 'a']"
DICT = "{'a': 1, 'b': [2, 3]}"
TUPLE = "1,2"
QUOTED = "'quoted'"
DQUOTED = '"hello"'
NEG = "-5"
EMPTY = ""
SPACE = " 42 "
""",
    ),
    V1Case(
        "python-only-literals",
        config='[context.secrets]\nBYTES = "b\'raw\'"\nSET = "{1, 2}"\nCOMPLEX = "1j"\nNESTED_TUPLE = "[(1, 2), (3,)]"\nINT_KEYS = "{1: \'a\'}"\n',
    ),
    V1Case(
        "json-decoded-by-get",
        config="""
[context.secrets]
DOC = '{"user": "fake", "password": "fake-pass", "port": 5432, "ssl": true}'
ARRAY = '["a", "b"]'
NUMBER_TEXT = '"12"'
NOT_JSON = "{not json}"
JSON_ESCAPES = '{"a": "line\\\\nbreak"}'
""",
    ),
    V1Case(
        "references",
        config="""
[context.secrets]
PORT = "12345"
FULL = "${context.secrets.PORT}"
PARTIAL = "port-${context.secrets.PORT}"
MISSING = "${context.secrets.NOPE}"
CHAIN_A = "${context.secrets.CHAIN_B}"
CHAIN_B = "${context.secrets.CHAIN_C}"
CHAIN_C = "end"
TWO = "${context.secrets.PORT}:${context.secrets.CHAIN_C}"
TO_DOC = "${context.secrets.DOC}"
DOC = '{"k": 1}'
CUSTOM = "${mysection.value}"
[mysection]
value = "from-a-custom-section"
""",
    ),
    V1Case(
        "tables",
        config="""
[context.secrets]
INLINE = { user = "fake", password = "$DB_PASS" }
dotted.key = "x"
[context.secrets.AWS_CREDENTIALS]
ACCESS_KEY = "AKIAFAKE"
SECRET_ACCESS_KEY = "fakeSecret"
SESSION_TOKEN = "12345"
[context.secrets.NESTED.inner]
deep = "~/deep"
[[context.secrets.LIST_OF_TABLES]]
name = "$DB_PASS"
[[context.secrets.LIST_OF_TABLES]]
name = "second"
""",
        env={"DB_PASS": "fake-db-pass"},
        # 1.x typed SESSION_TOKEN "12345" as an int, which AwsCredentials cannot hold.
        maps={"AWS_CREDENTIALS": "secret"},
    ),
    V1Case(
        "native-toml-types",
        config="[context.secrets]\nINT = 5\nFLOAT = 2.5\nBOOL = false\nARRAY = [1, 2, 3]\nSTRINGS = ['$HOME', 'x']\n",
    ),
    V1Case(
        "environment-overrides",
        config='[context.secrets]\nTOKEN = "from-file"\nKEEP = "file"\n[context.secrets.AWS_CREDENTIALS]\nACCESS_KEY = "AKIAFILE"\nSECRET_ACCESS_KEY = "file-secret"\n',
        env={
            "PREFECT__CONTEXT__SECRETS__TOKEN": "from-env",
            "PREFECT__CONTEXT__SECRETS__NEW_ONE": "new",
            "PREFECT__context__secrets__lower_sections": "ok",
            "PREFECT__CONTEXT__SECRETS__MixedCase_Name": "kept",
            "PREFECT__CONTEXT__SECRETS__AWS_CREDENTIALS__SESSION_TOKEN": "env-session",
            "PREFECT__CONTEXT__SECRETS__INT_FROM_ENV": "123",
            "PREFECT__CONTEXT__SECRETS__DOUBLE_QUOTED": "'123'",
            "PREFECT__CONTEXT__SECRETS__EXPANDED": "$OTHER",
            "PREFECT__CONTEXT__SECRETS__JSON_ENV": '{"a": [1, 2]}',
            "PREFECT__CONTEXT__SECRETS__WITH-DASH": "dash",
            "OTHER": "other-value",
        },
    ),
    V1Case(
        "environment-only",
        env={"PREFECT__CONTEXT__SECRETS__GITHUB_ACCESS_TOKEN": "ghp_fakeFAKEfake0123456789abcdefABCDEF01"},
    ),
    V1Case(
        "backend-overrides-user",
        config='[context.secrets]\nA = "user"\nB = "user"\n[context.secrets.T]\nx = "user"\ny = "user"\n',
        backend='[context.secrets]\nB = "backend"\n[context.secrets.T]\ny = "backend"\n',
        env={"PREFECT__CONTEXT__SECRETS__A": "env"},
    ),
    V1Case(
        "multi-pass-expansion",
        config='[context.secrets]\nDEEP = "$LEVEL1"\nDEEP_TEXT = "$TEXT1"\n',
        env={"LEVEL1": "$LEVEL2", "LEVEL2": "$LEVEL3", "LEVEL3": "42", "TEXT1": "$TEXT2", "TEXT2": "plain"},
    ),
    V1Case("endless-expansion", config='[context.secrets]\nLOOP = "$GROW"\n', env={"GROW": "x$GROW"}),
    V1Case(
        "unicode-and-odd-text",
        config='[context.secrets]\n"Ünïcode name" = "välue ✓"\nDOLLAR = "costs $5"\nMULTI = """line1\nline2"""\nBACKSLASH = \'C:\\\\path\\\\x\'\n',
    ),
    V1Case(
        "env-table-replaced-by-string",
        config='[context.secrets.CREDS]\nuser = "fake"\n',
        env={"PREFECT__CONTEXT__SECRETS__CREDS": '{"user": "from-env"}'},
    ),
]
