"""The one table of Prefect 1.x classes and functions that read secrets by name.

Checked against the source of `prefect==1.4.1` (and `prefect.environments.storage`, where 0.x
kept the storages). A reader is matched by its class or function name under one of its
packages (`prefect.storage.GitHub` and `prefect.storage.github.GitHub` alike).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class SecretParameter:
    """One secret a reader reads: named by an argument, or always the same name."""

    keyword: Optional[str]  # the argument that names the secret; None: the reader always reads `default`
    default: Optional[str] = None  # the secret read when the argument is absent or None; None: no secret
    position: Optional[int] = None  # the argument's position in a call, when it is usually passed so
    # The block type (slug) the secret read here becomes: what the reader does with it (a GitHub
    # storage's token is a `github-token`), whatever its name. None: the name and value decide.
    block_type: Optional[str] = None


@dataclass(frozen=True)
class SecretReader:
    """1.x classes or functions that read secrets through `Secret(name).get()` or `context.secrets`."""

    packages: tuple[str, ...]
    names: tuple[str, ...]
    parameters: tuple[SecretParameter, ...]
    note: str = ""  # what replaces the reader itself in Prefect 2/3
    handler: bool = False  # a state handler: passing it uncalled (`state_handlers=[slack_notifier]`) reads its defaults

    def matches(self, path: str) -> bool:
        """Whether a resolved dotted path (`prefect.storage.github.GitHub`) is one of this reader's."""
        module, _, name = path.rpartition(".")
        return name in self.names and any(
            module == package or module.startswith(package + ".") for package in self.packages
        )


_STORAGES = ("prefect.storage", "prefect.environments.storage")
_NOTIFIERS = ("prefect.utilities.notifications",)
_AWS = SecretParameter(None, "AWS_CREDENTIALS")  # get_boto_client: context secret first, then boto3's chain
_GCP = SecretParameter(None, "GCP_CREDENTIALS")  # get_google_client: context secret first, then the default
_AZURE_BLOB = "azure-blob-storage-credentials"
_EMAIL = (SecretParameter(None, "EMAIL_USERNAME"), SecretParameter(None, "EMAIL_PASSWORD"))
_JIRA = (SecretParameter(None, "JIRASECRETS"),)
_KUBERNETES = SecretParameter("kubernetes_api_key_secret", "KUBERNETES_API_KEY")
_KUBERNETES_TASKS = tuple(
    f"{verb}Namespaced{kind}"
    for kind in ("Deployment", "Job", "Pod", "Service")
    for verb in ("Create", "Delete", "List", "Patch", "Read", "Replace")
) + ("RunNamespacedJob", "ReadNamespacedPodLogs", "ConnectGetNamespacedPodExec", "KubernetesSecret")

V1_READERS: tuple[SecretReader, ...] = (
    SecretReader(
        _STORAGES,
        ("GitHub",),
        (SecretParameter("access_token_secret", "GITHUB_ACCESS_TOKEN", position=3, block_type="github-token"),),
        "Prefect 3: flow.from_source(GitRepository(url, credentials=GitHubToken.load(...)), ...)",
    ),
    SecretReader(
        _STORAGES,
        ("GitLab",),
        (SecretParameter("access_token_secret", "GITLAB_ACCESS_TOKEN", position=4, block_type="gitlab-credentials"),),
        "Prefect 3: prefect-gitlab's GitLabCredentials with GitRepository",
    ),
    SecretReader(
        _STORAGES,
        ("Bitbucket",),
        (
            SecretParameter(
                "access_token_secret", "BITBUCKET_ACCESS_TOKEN", position=6, block_type="bitbucket-credentials"
            ),
            SecretParameter("cloud_username_secret"),
            SecretParameter("cloud_app_password_secret"),
        ),
        "Prefect 3: prefect-bitbucket's BitBucketCredentials with GitRepository",
    ),
    SecretReader(
        _STORAGES,
        ("Git",),
        (
            SecretParameter("git_token_secret_name", position=4),
            SecretParameter("git_clone_url_secret_name", position=6),
        ),
        "Prefect 3: flow.from_source(GitRepository(url, credentials=...), ...)",
    ),
    SecretReader(
        (*_STORAGES, "prefect.engine.results"),
        ("Azure", "AzureResult"),
        (SecretParameter("connection_string_secret", "AZURE_STORAGE_CONNECTION_STRING", block_type=_AZURE_BLOB),),
        "Prefect 3: prefect-azure's AzureBlobStorageCredentials",
    ),
    SecretReader(
        (*_STORAGES, "prefect.engine.results", "prefect.tasks.aws"),
        (
            "S3",
            "CodeCommit",
            "S3Result",
            "S3Download",
            "S3Upload",
            "S3List",
            "LambdaCreate",
            "LambdaDelete",
            "LambdaInvoke",
            "LambdaList",
            "StepActivate",
            "AWSSecretsManager",
            "AWSParametersManager",
            "BatchSubmit",
            "AWSClientWait",
        ),
        (_AWS,),
        "Prefect 3: prefect-aws's AwsCredentials (and S3Bucket for storage and results)",
    ),
    SecretReader(
        (*_STORAGES, "prefect.engine.results", "prefect.tasks.gcp"),
        (
            "GCS",
            "GCSResult",
            "GCSDownload",
            "GCSUpload",
            "GCSCopy",
            "GCSBlobExists",
            "BigQueryTask",
            "BigQueryStreamingInsert",
            "BigQueryLoadGoogleCloudStorage",
            "BigQueryLoadFile",
            "CreateBigQueryTable",
        ),
        (_GCP,),
        "Prefect 3: prefect-gcp's GcpCredentials",
    ),
    SecretReader(
        ("prefect.tasks.azure",),
        ("BlobStorageDownload", "BlobStorageUpload"),
        (SecretParameter("azure_credentials_secret", "AZ_CONNECTION_STRING", position=0, block_type=_AZURE_BLOB),),
        "Prefect 3: prefect-azure's AzureBlobStorageCredentials",
    ),
    SecretReader(
        ("prefect.tasks.azure", "prefect.tasks.azureml"),
        (
            "CosmosDBCreateItem",
            "CosmosDBReadItems",
            "CosmosDBQueryItems",
            "DatafactoryCreate",
            "PipelineCreate",
            "PipelineRun",
            "DatastoreRegisterBlobContainer",
        ),
        (SecretParameter("azure_credentials_secret", "AZ_CREDENTIALS"),),
        "Prefect 3: prefect-azure's credentials blocks",
    ),
    SecretReader(
        ("prefect.tasks.kubernetes",),
        _KUBERNETES_TASKS,
        (_KUBERNETES,),
        "Prefect 3: prefect-kubernetes's KubernetesCredentials",
    ),
    SecretReader(
        ("prefect.utilities",),
        ("get_kubernetes_client",),
        (SecretParameter("kubernetes_api_key_secret", "KUBERNETES_API_KEY", position=1),),
        "Prefect 3: prefect-kubernetes's KubernetesCredentials",
    ),
    SecretReader(
        _NOTIFIERS,
        ("slack_notifier",),
        (SecretParameter("webhook_secret", "SLACK_WEBHOOK_URL", block_type="slack-webhook-url"),),
        "Prefect 3: @flow(on_failure=[slack_notifier(block_name)]) from prefect_secretblocks",
        handler=True,
    ),
    SecretReader(
        ("prefect.tasks.notifications",),
        ("SlackTask",),
        (SecretParameter("webhook_secret", "SLACK_WEBHOOK_URL", position=1, block_type="slack-webhook-url"),),
        "Prefect 3: SlackWebhookURL.load(block_name).notify(message)",
    ),
    SecretReader(
        ("prefect.tasks.notifications",),
        ("EmailTask",),
        _EMAIL,
        "Prefect 3: prefect-email's EmailServerCredentials (no secret is read with smtp_type='INSECURE')",
    ),
    SecretReader(
        _NOTIFIERS, ("gmail_notifier",), _EMAIL, "Prefect 3: prefect-email's EmailServerCredentials", handler=True
    ),
    SecretReader(
        _NOTIFIERS, ("snowflake_logger",), (SecretParameter("snowflake_secret", "SNOWFLAKE_CREDS"),), handler=True
    ),
    SecretReader(_NOTIFIERS, ("jira_notifier",), _JIRA, handler=True),
    SecretReader(("prefect.tasks.jira",), ("JiraTask", "JiraServiceDeskTask"), _JIRA),
    SecretReader(("prefect.tasks.notifications",), ("PushbulletTask",), (SecretParameter(None, "PUSHBULLET_TOKEN"),)),
    SecretReader(
        ("prefect.tasks.redis",),
        ("RedisSet", "RedisGet", "RedisExecute"),
        (SecretParameter("password_secret", "REDIS_PASSWORD"),),
    ),
    SecretReader(
        ("prefect.tasks.exasol",),
        ("ExasolFetch", "ExasolExecute", "ExasolImportFromIterable", "ExasolExportToFile"),
        (SecretParameter("dsn_secret"), SecretParameter("user_secret"), SecretParameter("password_secret")),
    ),
    SecretReader(
        ("prefect.tasks.secrets",),
        ("VaultSecret",),
        (SecretParameter("vault_credentials_secret", "VAULT_CREDENTIALS"),),
    ),
    # 0.x tasks that took a secret name; 1.x takes the value (`token=`, `credentials=`) instead.
    SecretReader(
        ("prefect.tasks.github",),
        ("OpenGitHubIssue", "CreateGitHubPR", "CreateIssueComment", "GetRepoInfo", "CreateBranch"),
        (SecretParameter("token_secret", block_type="github-token"),),
        "Prefect 3: GitHubToken.load(block_name).get() where the token is needed",
    ),
    SecretReader(
        ("prefect.tasks.twitter",),
        ("LoadTweetReplies",),
        (SecretParameter("credentials_secret", block_type="twitter-api-credentials"),),
        "Prefect 3: TwitterCredentials.load(block_name).get_client()",
    ),
)


def reader_for(path: str) -> Optional[SecretReader]:
    """The reader a resolved dotted path names, if any."""
    return next((reader for reader in V1_READERS if reader.matches(path)), None)


# 1.x's secret client, its tasks, and the context that holds local secrets, by import path.
SECRET_CLASSES = frozenset({"prefect.client.Secret", "prefect.client.secrets.Secret"})
SECRET_TASKS = frozenset(
    {
        "prefect.tasks.secrets.PrefectSecret",
        "prefect.tasks.secrets.base.PrefectSecret",
        "prefect.tasks.secrets.Secret",  # 0.x's name for PrefectSecret
        "prefect.tasks.secrets.base.Secret",
    }
)
ENV_VAR_SECRET_TASKS = frozenset({"prefect.tasks.secrets.EnvVarSecret", "prefect.tasks.secrets.env_var.EnvVarSecret"})
# The base of 1.x's secret tasks: a subclass reads secrets its own way, so it is shown for review.
SECRET_BASES = frozenset({"prefect.tasks.secrets.SecretBase", "prefect.tasks.secrets.base.SecretBase"})
# 1.x's API client: only its `set_secret` writes a 1.x Cloud secret (other SDKs have methods of that name).
CLIENT_CLASSES = frozenset({"prefect.Client", "prefect.client.Client", "prefect.client.client.Client"})
# Inside `with Flow(...)`, 1.x code builds the flow's graph: a call there runs at registration, not in a task.
FLOW_CLASSES = frozenset({"prefect.Flow", "prefect.core.Flow", "prefect.core.flow.Flow"})
CONTEXTS = frozenset({"prefect.context", "prefect.utilities.context.context"})
CONTEXT_SECRETS = frozenset({"prefect.context.secrets", "prefect.config.context.secrets"})
# Webhook storage fills `${NAME}` templates in its request kwargs from the environment, else secrets.
TEMPLATE_READER = SecretReader(
    _STORAGES,
    ("Webhook",),
    (),
    "Webhook storage: an environment variable of this name first, else the secret; "
    "Prefect 3: load the block where the request is made",
)
