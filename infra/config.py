"""The typed stack configuration: the only place stack input is checked.

Everything behind `StackConfig` trusts it. Every model forbids unknown keys, so a misspelt key
(`tls_ciper_suites`) is an error instead of a silently ignored default. Field descriptions are the
reference documentation: the README's config section is generated from them (`infra.docs`).
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal
from urllib.parse import urlparse

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    model_validator,
)

from infra.stacks import OPERATOR_SUPPLIED

PROJECT = "vault-platform"
API_PORT = 8200  # the listener; the internal load balancer forwards this port only

_DNS1123 = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_METADATA_TEXT = re.compile(r"^[^\x00-\x1f\x7f\"'\\]{1,128}$")
_TICKET = re.compile(r"^(?:[A-Za-z][A-Za-z0-9_]*-[0-9]+|https://[^\s\"']{1,200})$")
_DURATION = re.compile(r"^(\d+)([smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
# Vault mount paths and policy path segments we generate: no globs, no templates, no traversal.
_PATH_SEGMENTS = re.compile(r"^[a-z0-9][a-z0-9_-]*(/[a-z0-9][a-z0-9_-]*)*$")


class ConfigError(ValueError):
    """Stack configuration rejected; the message names the key, the bad value and what is allowed."""


class ConfigProblems(ValueError):
    """Every problem one check found (a line each, each naming its key): a check reports them all at
    once instead of stopping at the first, so one run of `vaultctl plan` shows everything to fix."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def _report(problems: list[str]) -> None:
    if problems:
        raise ConfigProblems(problems)


def did_you_mean(value: object, options: Iterable[str]) -> str:
    """` (did you mean 'x'?)` for a near miss among `options`, else ``."""
    close = difflib.get_close_matches(str(value), sorted(set(options)), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _parse_duration(value: Any) -> int:
    if isinstance(value, bool):
        raise ValueError("must be a duration like '15m', '1h' or '30d'")
    if isinstance(value, int):
        if value < 0:
            raise ValueError("must not be negative")
        return value
    if isinstance(value, str):
        match = _DURATION.fullmatch(value.strip())
        if match:
            return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    raise ValueError("must be a duration like '15m', '1h' or '30d' (units s, m, h, d)")


def _dns1123(value: str) -> str:
    if not _DNS1123.fullmatch(value):
        raise ValueError("must be a DNS-1123 label: lowercase letters, digits and '-', at most 63 characters")
    return value


def _path(value: str) -> str:
    if not _PATH_SEGMENTS.fullmatch(value):
        raise ValueError(
            "must be a plain path of lowercase segments (no '*', '+', '{{', '..' or leading '/')"
        )
    return value


def _cidr(value: str) -> str:
    try:
        network = ipaddress.IPv4Network(value, strict=False)
    except ValueError:
        raise ValueError("must be an IPv4 CIDR like 10.200.0.0/24") from None
    if str(network) != value.strip():
        raise ValueError(f"not a network address (did you mean {network}?)")
    # Anything wider is "everyone" by another name; a source allow-list of it allows nothing less.
    if network.prefixlen < 8:
        raise ValueError("must not be wider than a /8 (0.0.0.0/0 would admit every address)")
    return str(network)


_DNS_NAME = re.compile(
    r"^(?=.{1,253}$)[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+$"
)


def _dns_name(value: str) -> str:
    if not _DNS_NAME.fullmatch(value):
        raise ValueError("must be a lowercase DNS name like prod.acme.internal (no trailing dot)")
    return value


def _bound_name(value: str) -> str:
    # Wildcards here would let any workload in the cluster log in as the service.
    if not value or "*" in value:
        raise ValueError("must be an exact name: '*' and empty names are not allowed")
    return _dns1123(value)


Duration = Annotated[int, BeforeValidator(_parse_duration)]
"""A duration in seconds; config accepts '90s', '15m', '1h', '30d' or a number of seconds."""
Dns1123 = Annotated[str, AfterValidator(_dns1123)]
VaultPath = Annotated[str, AfterValidator(_path)]
BoundName = Annotated[str, AfterValidator(_bound_name)]
Cidr = Annotated[str, AfterValidator(_cidr)]
"""An IPv4 network in CIDR form, no host bits, no wider than a /8."""
DnsName = Annotated[str, AfterValidator(_dns_name)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _ttl_problems(default: int, maximum: int, default_key: str, max_key: str) -> list[str]:
    if maximum and default > maximum:
        return [f"{default_key} ({default}s) must not exceed {max_key} ({maximum}s)"]
    return []


def _check_ttls(default: int, maximum: int, default_key: str, max_key: str) -> None:
    _report(_ttl_problems(default, maximum, default_key, max_key))


# --------------------------------------------------------------------------- platform (GCP)


class GcpConfig(Strict):
    project: str = Field(
        description="GCP project id of the workload: network, cluster, service accounts (the unseal key "
        "and the snapshot bucket live in `kms.project`, the recovery project)."
    )
    region: str = Field(description="GCP region, e.g. europe-west1.")
    subnet_cidr: str = Field("10.10.0.0/20", description="Primary range of the nodes' subnet.")
    pods_cidr: str = Field("10.20.0.0/16", description="Secondary range for pods.")
    services_cidr: str = Field("10.30.0.0/20", description="Secondary range for services.")
    master_cidr: str = Field("172.16.0.0/28", description="The private GKE control plane's /28.")
    master_authorized_cidrs: list[Cidr] = Field(
        default_factory=list,
        description="CIDRs allowed to reach the control plane's private IP endpoint from inside the VPC "
        "(a bastion). CI reaches it through the DNS endpoint, authorized by IAM. Empty: none.",
    )
    release_channel: Literal["RAPID", "REGULAR", "STABLE"] = Field(
        "REGULAR", description="GKE release channel."
    )
    machine_type: str = Field("e2-standard-2", description="Node machine type of the Vault node pool.")
    project_number: int | None = Field(
        None,
        gt=0,
        description="The project's number (`gcloud projects describe PROJECT "
        "--format='value(projectNumber)'`): Workload Identity Federation principals and the CI provider's "
        "resource name are built from it. Required for staging/prod.",
    )
    stack_secrets_key: str | None = Field(
        None,
        description="The Cloud KMS key of the stack's `secretsprovider` "
        "(`projects/P/locations/L/keyRings/R/cryptoKeys/K`): the CI identities decrypt the stack's "
        "config secrets with it. Its IAM is granted by the operator at bootstrap, never by the program "
        "(docs/bootstrap.md); `vaultctl plan`'s permission check takes it as given.",
    )

    @model_validator(mode="after")
    def _secrets_key(self) -> GcpConfig:
        key = self.stack_secrets_key
        if key is not None and not re.fullmatch(
            r"projects/[a-z][a-z0-9-]+/locations/[a-z0-9-]+/keyRings/[A-Za-z0-9_-]+/cryptoKeys/[A-Za-z0-9_-]+",
            key,
        ):
            raise ValueError(
                f"gcp.stack_secrets_key={key!r}: must be projects/P/locations/L/keyRings/R/cryptoKeys/K "
                "(the secretsprovider's key without the gcpkms:// scheme)"
            )
        return self


class KmsConfig(Strict):
    project: str | None = Field(
        None,
        description="The recovery project (default: `gcp.project`): the unseal key ring, the stack "
        "secrets key and the snapshot bucket, everything a rebuild needs. Prod keeps it apart from the "
        "workload project, locked down and with a deletion lien, so it outlives that project; the "
        "operator creates it and enables cloudkms.googleapis.com and storage.googleapis.com there "
        "(docs/bootstrap.md).",
    )
    key_ring: Dns1123 = Field(description="Cloud KMS key ring holding the auto-unseal key.")
    crypto_key: Dns1123 = Field(description="Cloud KMS crypto key Vault's seal wraps its root key with.")
    location: str = Field(
        description="KMS location of the key ring: a multi-region (`europe`, `us`, `asia`) or a "
        "multi-region group such as `eur4`/`nam4`, never a single region. Every snapshot can only be "
        "restored with this key, so it must outlive the cluster's region like the snapshot bucket does "
        "(Cloud HSM is offered in the multi-regions)."
    )
    rotation_period: Duration = Field(
        7_776_000, description="Automatic key rotation period (default 90d); old versions stay to decrypt."
    )
    protection_level: Literal["SOFTWARE", "HSM"] = Field(
        "HSM", description="Key protection level; prod must be HSM."
    )

    @model_validator(mode="after")
    def _project_id(self) -> KmsConfig:
        # GCP project ids: 6-30 characters, lowercase letters, digits and hyphens, a letter first.
        if self.project is not None and not re.fullmatch(r"[a-z][a-z0-9-]{4,28}[a-z0-9]", self.project):
            _report(
                [f"kms.project={self.project!r}: a GCP project id (6-30 of a-z, 0-9, '-'; a letter first)"]
            )
        return self

    @model_validator(mode="after")
    def _survives_a_region(self) -> KmsConfig:
        # A regional key dies with its region, and with it every snapshot in the multi-region bucket:
        # a restore needs the same key (docs/facts.md, restore into a new cluster).
        if _SINGLE_REGION.fullmatch(self.location.lower()):
            _report(
                [
                    f"kms.location={self.location!r}: a single region is lost with the cluster's region and "
                    "every snapshot needs this key to restore; use a multi-region (europe, us, asia) or eur4/nam4"
                ]
            )
        return self


# --------------------------------------------------------------------------- cluster (Kubernetes + server)


class TlsConfig(Strict):
    min_version: Literal["tls12", "tls13"] = Field(
        "tls13", description="Minimum TLS version of every listener (Vault's `tls_min_version`)."
    )
    cipher_suites: list[str] = Field(
        default_factory=list,
        description="TLS 1.2 cipher suites (Go names); empty keeps the server's secure defaults.",
    )
    cert_validity_hours: int = Field(
        8760, ge=24, le=26280, description="Validity of the generated node certificate (max 3 years)."
    )


class TelemetryConfig(Strict):
    prometheus_retention: Duration = Field(
        30, description="`prometheus_retention_time`: how long Vault keeps metrics for a scrape."
    )
    scrape: Literal["podmonitoring", "servicemonitor", "none"] = Field(
        "podmonitoring",
        description="Scrape object: Google Managed Prometheus `PodMonitoring` or Prometheus Operator "
        "`ServiceMonitor`.",
    )
    unauthenticated_metrics: bool = Field(
        True,
        description="Allow `/v1/sys/metrics` without a token on the listener (scrapers sit inside the "
        "NetworkPolicy); false requires a metrics token.",
    )
    tls_probe_image: str = Field(
        "quay.io/prometheus/blackbox-exporter:v0.25.0",
        description="Pinned blackbox-exporter image of the per-pod TLS probe sidecar (podmonitoring only): "
        "the certificate each pod serves, for the expiry alerts; Vault exports no certificate metric.",
    )


class ResourcesConfig(Strict):
    cpu_request: str = Field("500m", description="CPU request of each Vault pod.")
    cpu_limit: str = Field("2", description="CPU limit of each Vault pod.")
    memory_request: str = Field("512Mi", description="Memory request of each Vault pod.")
    memory_limit: str = Field("1Gi", description="Memory limit of each Vault pod.")
    storage: str = Field("10Gi", description="Raft data volume size per pod.")
    storage_class: str = Field(
        "premium-rwo",
        description="StorageClass of the Raft data volumes (changing it, or `storage`, replaces the "
        "StatefulSet's claim templates: docs/statefulset-changes.md).",
    )


class ApiAccessConfig(Strict):
    """How CI runners and operators reach the Vault API from outside the cluster."""

    allowed_cidrs: list[Cidr] = Field(
        min_length=1,
        description="Source ranges (CI runners, operators' VPN) allowed to reach the API on 8200 through "
        "the internal load balancer; they must be routed to the stack's VPC (same VPC, peering, VPN or "
        "Interconnect). The NetworkPolicy admits exactly these.",
    )
    dns_zone: DnsName = Field(
        description="Domain of the private Cloud DNS zone bound to the stack's VPC (e.g. "
        "prod.acme.internal); the host of `vault.address` must be inside it."
    )
    global_access: bool = Field(
        False,
        description="Let clients in other regions of the VPC (or peered networks) reach the internal load "
        "balancer; off, only clients in the cluster's region can.",
    )


class ClusterConfig(Strict):
    nodes: int = Field(description="Raft voters (pods). Odd and >= 3; prod runs 5.")
    zones: list[str] = Field(
        min_length=1, description="Zones the node pool and pods spread over; staging/prod need 3."
    )
    server: Literal["vault", "openbao"] = Field(
        "vault",
        description="Server flavour: `vault` (hashicorp/vault, `gcpckms` seal built in; audit devices via "
        "the API) or `openbao` (audit devices declared in server HCL).",
    )
    image: str = Field(
        description="Pinned server image (`repo:tag` or `repo@sha256:...`); `latest` is refused."
    )
    namespace: Dns1123 = Field("vault", description="Kubernetes namespace of the Vault server.")
    performance_multiplier: int = Field(
        1,
        ge=1,
        le=10,
        description="Raft `performance_multiplier`; 1 fails over in seconds (docs/facts.md#performance-multiplier).",
    )
    tls: TlsConfig = Field(default_factory=TlsConfig, description="Listener TLS.")
    telemetry: TelemetryConfig = Field(default_factory=TelemetryConfig, description="Prometheus metrics.")
    resources: ResourcesConfig = Field(default_factory=ResourcesConfig, description="Pod sizing.")
    client_namespaces: list[Dns1123] = Field(
        default_factory=list,
        description="Namespaces whose pods may reach the API port 8200 (NetworkPolicy); services' "
        "namespaces are added automatically.",
    )
    log_level: Literal["trace", "debug", "info", "warn", "error"] = Field(
        "info", description="Server log level."
    )
    api_access: ApiAccessConfig | None = Field(
        None,
        description="The way in from outside the cluster: internal load balancer, private DNS and "
        "NetworkPolicy source ranges (required for staging/prod).",
    )
    plugin_directory: str | None = Field(
        None,
        description="The server's `plugin_directory` (an absolute path, e.g. /vault/plugins): external "
        "plugins are registered and run only from there. Required with the `openai` plugin; the "
        "StatefulSet fills it from the plugin image (docs/ai-keys.md).",
    )

    @model_validator(mode="after")
    def _pinned_image(self) -> ClusterConfig:
        tag = self.image.rsplit("@", 1)[-1] if "@" in self.image else self.image.rpartition(":")[2]
        if "@" not in self.image and (":" not in self.image or "/" in tag or tag in ("", "latest")):
            raise ValueError(
                f"cluster.image={self.image!r}: must be pinned as repo:tag or repo@sha256:..., never latest"
            )
        return self

    @model_validator(mode="after")
    def _plugin_directory(self) -> ClusterConfig:
        d = self.plugin_directory
        if d is not None and (
            not re.fullmatch(r"(/[A-Za-z0-9_.-]+)+", d)
            or ".." in d.split("/")
            or any(d == s or d.startswith(f"{s}/") for s in _SERVER_DIRS)
        ):
            raise ValueError(
                f"cluster.plugin_directory={d!r}: an absolute path of its own (no '..', not under "
                f"{', '.join(_SERVER_DIRS)}), e.g. /vault/plugins"
            )
        return self


# The server's config, TLS and Raft directories (infra.cluster.layout): a plugin directory there would
# shadow a mounted volume.
_SERVER_DIRS = ("/vault/config", "/vault/tls", "/vault/data", "/tmp")  # noqa: S108
_MULTI_REGIONS = {"europe": "EU", "us": "US", "northamerica": "US", "asia": "ASIA"}
_SINGLE_REGION = re.compile(r"^[a-z]+-[a-z]+[0-9]+$")


class SnapshotConfig(Strict):
    schedule: str = Field("0 */6 * * *", description="Cron schedule of the Raft snapshot job (UTC).")
    retention_days: int = Field(30, ge=1, le=3650, description="Days snapshots are kept in the bucket.")
    bucket: str = Field(description="GCS bucket (globally unique name) receiving snapshots.")
    location: str | None = Field(
        None,
        description="Bucket location: a multi-region (`EU`, `US`, `ASIA`) or a predefined dual-region "
        "(e.g. `EUR4`), never a single region, so losing the cluster's region keeps the snapshots. "
        "Default: the multi-region of `gcp.region`'s continent.",
    )
    data_locations: list[str] = Field(
        default_factory=list,
        description="Custom dual-region: exactly two regions (e.g. `[europe-west1, europe-west4]`) inside "
        "the multi-region `location`; GCS keeps a copy in each.",
    )

    def bucket_location(self, region: str) -> str:
        """The location the bucket is created in (the configured one, or the region's multi-region)."""
        if self.location:
            return self.location
        return _MULTI_REGIONS.get(region.split("-", 1)[0], "")

    @model_validator(mode="after")
    def _survives_a_region(self) -> SnapshotConfig:
        problems = []
        if self.location and _SINGLE_REGION.fullmatch(self.location.lower()):
            problems.append(
                f"snapshots.location={self.location!r}: a single region is lost with the cluster's region; "
                "use a multi-region (EU, US, ASIA) or a dual-region"
            )
        if self.data_locations:
            regions = [r.lower() for r in self.data_locations]
            if len(set(regions)) != 2 or not all(_SINGLE_REGION.fullmatch(r) for r in regions):
                problems.append(
                    f"snapshots.data_locations={self.data_locations}: a custom dual-region is exactly two "
                    "distinct regions, e.g. [europe-west1, europe-west4]"
                )
            if (self.location or "").upper() not in set(_MULTI_REGIONS.values()):
                problems.append(
                    f"snapshots.location={self.location!r}: data_locations need the multi-region that "
                    "contains them as location (EU, US or ASIA)"
                )
        _report(problems)
        return self

    uploader_image: str = Field(
        "gcr.io/google.com/cloudsdktool/google-cloud-cli:502.0.0-slim",
        description="Pinned image with `gcloud` that uploads the snapshot to the bucket (Workload Identity).",
    )


# --------------------------------------------------------------------------- Vault configuration


class AuditDevice(Strict):
    name: Dns1123 = Field(description="Audit device path.")
    type: Literal["file", "socket"] = Field(description="`file` (a path, or `stdout`) or `socket`.")
    file_path: str | None = Field(None, description="For `file`: a path or `stdout`.")
    address: str | None = Field(None, description="For `socket`: host:port of the log collector.")
    socket_type: Literal["tcp", "udp", "unix"] = Field("tcp", description="For `socket`.")

    @model_validator(mode="after")
    def _target(self) -> AuditDevice:
        problems = []
        if self.type == "file" and not self.file_path:
            problems.append(f"audit device {self.name!r}: type file needs file_path")
        if self.type == "socket" and not self.address:
            problems.append(f"audit device {self.name!r}: type socket needs address")
        _report(problems)
        return self


class RateLimit(Strict):
    name: Dns1123 = Field(description="Quota name.")
    path: str = Field("", description="Mount or path the quota applies to; empty is global.")
    rate: float = Field(gt=0, description="Requests per second allowed.")
    interval: Duration = Field(1, description="Window of the rate.")
    block_interval: Duration = Field(0, description="How long a client is blocked after exceeding it.")


class KvConfig(Strict):
    path: VaultPath = Field("kv", description="KV v2 mount path.")
    max_versions: int = Field(10, ge=1, le=100, description="Versions kept per secret.")
    cas_required: bool = Field(True, description="Writes must pass check-and-set (no blind overwrite).")
    delete_version_after: Duration = Field(0, description="Auto-delete versions older than this; 0 keeps.")
    ai_providers: list[Dns1123] = Field(
        default_factory=lambda: ["openai", "anthropic"],
        description="Model providers whose keys live at `ai/providers/<provider>/<service>`.",
    )


class TransitKey(Strict):
    name: Dns1123 = Field(description="Transit key name.")
    type: Literal["aes256-gcm96", "chacha20-poly1305", "ecdsa-p256", "ed25519", "rsa-2048", "rsa-4096"] = (
        Field("aes256-gcm96", description="Key type.")
    )
    auto_rotate_period: Duration = Field(2_592_000, description="Automatic rotation (default 30d); 0 is off.")


class TransitConfig(Strict):
    path: VaultPath = Field("transit", description="Transit mount path.")
    keys: list[TransitKey] = Field(
        default_factory=list, description="Named keys (non-exportable, not deletable)."
    )


class DatabaseRole(Strict):
    name: Dns1123 = Field(description="Role name (`database/creds/<name>`).")
    access: Literal["readonly", "readwrite"] = Field(
        description="Grants rendered into the creation statements."
    )
    schema_name: str = Field("public", alias="schema", description="Schema the grants cover.")
    default_ttl: Duration = Field(3600, description="Lease TTL of issued credentials.")
    max_ttl: Duration = Field(86400, description="Maximum lease TTL of issued credentials.")

    @model_validator(mode="after")
    def _ttls(self) -> DatabaseRole:
        _check_ttls(self.default_ttl, self.max_ttl, f"database.roles[{self.name}].default_ttl", "max_ttl")
        return self


class DatabaseStaticRole(Strict):
    name: Dns1123 = Field(description="Static role name (`database/static-creds/<name>`).")
    username: str = Field(description="Existing database user Vault rotates.")
    rotation_period: Duration = Field(86400, description="Password rotation period.")


class DatabaseConfig(Strict):
    path: VaultPath = Field("database", description="Database secrets engine mount path.")
    connection: Dns1123 = Field("app", description="Connection name (`database/config/<name>`).")
    host: str = Field(description="PostgreSQL host.")
    port: int = Field(5432, ge=1, le=65535, description="PostgreSQL port.")
    database: str = Field(description="Database name.")
    username: str = Field(description="Vault's admin user; its password is rotated by Vault after setup.")
    password: SecretStr = Field(description="Initial admin password: a `--secret` value.")
    sslmode: Literal["disable", "require", "verify-ca", "verify-full"] = Field(
        "verify-full", description="libpq sslmode; `disable` only on the local stack."
    )
    verify_connection: bool = Field(True, description="Vault checks the connection when it is written.")
    rotate_root: bool = Field(
        True, description="Rotate the admin password once configured, so no person knows it."
    )
    roles: list[DatabaseRole] = Field(default_factory=list, description="Dynamic roles.")
    static_roles: list[DatabaseStaticRole] = Field(default_factory=list, description="Static roles.")


class AwsPolicyStatement(Strict):
    actions: list[str] = Field(min_length=1, description="IAM actions, e.g. `s3:GetObject`.")
    resources: list[str] = Field(min_length=1, description="Resource ARNs.")


class AwsRole(Strict):
    name: Dns1123 = Field(description="Role name (`aws/creds/<name>`).")
    credential_type: Literal["iam_user", "assumed_role"] = Field(description="How credentials are issued.")
    role_arns: list[str] = Field(
        default_factory=list, description="For assumed_role: the IAM roles to assume."
    )
    statements: list[AwsPolicyStatement] = Field(
        default_factory=list, description="Inline policy: specific actions on specific resources."
    )
    default_sts_ttl: Duration = Field(900, description="Default STS credential TTL (assumed_role).")
    max_sts_ttl: Duration = Field(3600, description="Maximum STS credential TTL (assumed_role).")

    @model_validator(mode="after")
    def _shape(self) -> AwsRole:
        problems = []
        if self.credential_type == "assumed_role" and not self.role_arns:
            problems.append(f"aws.roles[{self.name}]: assumed_role needs role_arns")
        if self.credential_type == "iam_user" and not self.statements:
            problems.append(f"aws.roles[{self.name}]: iam_user needs statements")
        problems += _ttl_problems(
            self.default_sts_ttl, self.max_sts_ttl, f"aws.roles[{self.name}].default_sts_ttl", "max_sts_ttl"
        )
        _report(problems)
        return self


class AwsConfig(Strict):
    path: VaultPath = Field("aws", description="AWS secrets engine mount path.")
    region: str = Field("us-east-1", description="AWS region.")
    access_key: SecretStr = Field(description="Root access key id: a `--secret` value, rotated by Vault.")
    secret_key: SecretStr = Field(description="Root secret key: a `--secret` value, rotated by Vault.")
    rotate_root: bool = Field(True, description="Rotate the root key once configured.")
    roles: list[AwsRole] = Field(default_factory=list, description="Roles.")


class GithubOidcConfig(Strict):
    path: VaultPath = Field("jwt", description="JWT auth mount path.")
    oidc_discovery_url: str | None = Field(
        None, description="GitHub's issuer `https://token.actions.githubusercontent.com` (staging/prod)."
    )
    bound_issuer: str | None = Field(None, description="Expected `iss` claim.")
    validation_pubkeys: list[str] = Field(
        default_factory=list,
        description="PEM public keys instead of discovery (local stack; `vaultctl local up` supplies its own).",
    )
    audience: str = Field(description="Expected `aud` claim of GitHub's tokens (e.g. the org URL).")
    token_ttl: Duration = Field(900, description="Token TTL of CI logins (15 minutes).")
    token_max_ttl: Duration = Field(900, description="Token max TTL of CI logins.")

    @model_validator(mode="after")
    def _keys(self) -> GithubOidcConfig:
        problems = []
        if self.oidc_discovery_url and self.validation_pubkeys:
            problems.append("github_oidc: set oidc_discovery_url or validation_pubkeys, not both")
        problems += _ttl_problems(
            self.token_ttl, self.token_max_ttl, "github_oidc.token_ttl", "token_max_ttl"
        )
        _report(problems)
        return self


class KubernetesAuthConfig(Strict):
    path: VaultPath = Field("kubernetes", description="Kubernetes auth mount path.")
    host: str = Field(
        "https://kubernetes.default.svc", description="Kubernetes API Vault sends TokenReviews to."
    )
    ca_pem: str | None = Field(None, description="CA of that API; in-cluster Vault reads its pod's.")
    audience: str = Field("vault", description="Audience service-account tokens must carry.")


_WORKFLOW_FILE = re.compile(r"^\.github/workflows/[A-Za-z0-9_.-]+\.ya?ml$")
_GITHUB_EVENTS = ("push", "workflow_dispatch", "pull_request", "schedule", "merge_group")


def _workflow_file(value: str) -> str:
    if not _WORKFLOW_FILE.fullmatch(value):
        raise ValueError("must be a workflow file path like .github/workflows/deploy.yml")
    return value


WorkflowFile = Annotated[str, AfterValidator(_workflow_file)]


class DeployerConfig(Strict):
    """The CI identity that applies the stack (`pulumi up`): bound to claims a branch cannot forge."""

    repository: str = Field(
        description="`owner/repo` of this repository: the only CI allowed to configure Vault."
    )
    repository_id: int = Field(
        gt=0,
        description="GitHub's numeric id of that repository (`repository_id` claim): names can be "
        "re-registered after a rename or delete, ids cannot.",
    )
    repository_owner_id: int = Field(
        gt=0, description="GitHub's numeric id of the owner (`repository_owner_id` claim)."
    )
    environment: str = Field(description="GitHub environment the deploy job runs in (bound claim).")
    branch: str = Field(
        "main", description="The only branch that deploys (`ref` claim `refs/heads/<branch>`)."
    )
    workflow: WorkflowFile = Field(
        ".github/workflows/deploy.yml",
        description="The deploy workflow file; its `job_workflow_ref` on the branch is a bound claim.",
    )
    events: list[Literal["push", "workflow_dispatch"]] = Field(
        ["push", "workflow_dispatch"],  # pydantic copies a mutable default per instance
        min_length=1,
        description="`event_name` values allowed to deploy (never pull_request).",
    )
    audience: str | None = Field(
        None,
        description="OIDC audience the deploy and preview jobs request; default "
        "`vault-platform-<environment>`, so a token minted for one environment is refused by another.",
    )
    token_ttl: Duration = Field(
        1800,
        description="Deployer token TTL (30 minutes): outlives the longest apply, since a deploy job's "
        "`timeout-minutes` may not exceed it (workflow lint) and the Vault provider's child token "
        "(`max_lease_ttl_seconds`) is given the same lifetime.",
    )

    @property
    def ref(self) -> str:
        return f"refs/heads/{self.branch}"

    def workflow_ref(self, workflow: str | None = None) -> str:
        """The `job_workflow_ref` claim of a workflow file of this repository on the deploy branch."""
        return f"{self.repository}/{workflow or self.workflow}@{self.ref}"

    def oidc_audience(self) -> str:
        return self.audience or f"vault-platform-{self.environment}"


class PreviewerConfig(Strict):
    """The read-only CI identity: PR previews and drift detection (`pulumi preview`/`refresh`)."""

    workflows: list[WorkflowFile] = Field(
        default_factory=lambda: [
            ".github/workflows/preview.yml",
            ".github/workflows/drift.yml",
            ".github/workflows/deploy.yml",
        ],
        min_length=1,
        description="Workflow files whose jobs may log in as the previewer (`job_workflow_ref` path): PR "
        "previews, drift, and deploy.yml's `preview --save-plan` jobs that run before the approval.",
    )
    events: list[Literal["pull_request", "schedule", "workflow_dispatch", "merge_group", "push"]] = Field(
        ["pull_request", "schedule", "workflow_dispatch", "push"],
        min_length=1,
        description="`event_name` values allowed to log in as the previewer (`push`: deploy.yml plans "
        "before the environment approval; read-only like every previewer login).",
    )
    token_ttl: Duration = Field(1200, description="Previewer token TTL (20 minutes).")
    branch: str | None = Field(
        None,
        description="When set, the previewer is bound to `refs/heads/<branch>` (`ref` claim and "
        "`job_workflow_ref`): only reviewed, merged code can decrypt this stack's state and secrets. "
        "For prod: pull requests then get no live preview (their `vaultctl plan` shows the prod diff "
        "offline) and `events` may not include `pull_request` (a PR's ref is `refs/pull/<N>/merge`). "
        "Unset: any ref (staging: every same-repository PR previews live).",
    )

    @model_validator(mode="after")
    def _branch_excludes_pull_requests(self) -> PreviewerConfig:
        if self.branch is not None and "pull_request" in self.events:
            raise ValueError(
                f"previewer.events={self.events!r} with previewer.branch={self.branch!r}: a pull request's "
                "token carries ref refs/pull/<N>/merge, never the branch; drop `pull_request` from events "
                "or unset branch"
            )
        return self

    @property
    def ref(self) -> str | None:
        return f"refs/heads/{self.branch}" if self.branch else None


class VaultConfig(Strict):
    address: str = Field(description="Vault API address the Vault layer is applied to.")
    configure: bool = Field(
        description="Declare the Vault configuration layer. Stated in every stack file: false for a new "
        "stack until `vaultctl init` has run (nothing answers at `address` before), then true."
    )
    default_lease_ttl: Duration = Field(3600, description="Server `default_lease_ttl`.")
    max_lease_ttl: Duration = Field(86400, description="Server `max_lease_ttl`.")
    max_token_ttl: Duration = Field(86400, description="Cap on any auth role's token_max_ttl.")
    audit: list[AuditDevice] = Field(min_length=1, description="Audit devices (JSON, HMAC'd accessors).")
    rate_limits: list[RateLimit] = Field(default_factory=list, description="Rate-limit quotas.")
    adopt_bootstrap: bool = Field(
        False,
        description="One-shot, for the first `pulumi up` after `vaultctl init`: adopt what init created (JWT "
        "mount, deployer/previewer policies and roles, Vault audit devices) with the `import` option instead "
        "of creating it. Harmless once adopted; remove it after that `up`.",
    )

    @model_validator(mode="after")
    def _ttls(self) -> VaultConfig:
        _check_ttls(self.default_lease_ttl, self.max_lease_ttl, "vault.default_lease_ttl", "max_lease_ttl")
        return self


class OpenAiPluginConfig(Strict):
    """The OpenAI secrets plugin (gitrgoliveira/vault-plugin-secrets-openai), registered by checksum."""

    path: VaultPath = Field("openai", description="Mount path of the plugin's secrets engine.")
    plugin_name: Dns1123 = Field(
        "vault-plugin-secrets-openai", description="Catalog name (`sys/plugins/catalog/secret/<name>`)."
    )
    version: str = Field(description="Plugin version registered and pinned on the mount, e.g. v0.3.1.")
    sha256: str = Field(
        description="`sha256sum` of the plugin binary inside `image` (operator-supplied: "
        "docs/ai-keys.md); Vault runs the binary only if it matches."
    )
    image: str = Field(
        description="The plugin's image, pinned as repo:tag@sha256:<digest> with the tag equal to "
        "`version` (operator-supplied: docs/ai-keys.md). An init container copies `binary_path` from it "
        "into `cluster.plugin_directory`."
    )
    binary_path: str = Field(
        "/bin/vault-plugin-secrets-openai",
        description="Absolute path of the plugin binary inside `image`: check it in the image you pin "
        "(upstream's Dockerfile has used /bin and, later, /home/vault). The image also needs /bin/sh with "
        "cp, chmod, mkdir and rm (docs/ai-keys.md, image requirements).",
    )
    command: str = Field(
        "vault-plugin-secrets-openai", description="Binary name inside plugin_directory (no path)."
    )
    organization_id: str = Field(description="OpenAI organization (`org-...`).")
    admin_api_key_id: str = Field(description="Id of the admin API key below.")
    admin_api_key: SecretStr = Field(
        description="Initial admin API key: a `--secret` value; rotated by Vault once configured."
    )
    api_endpoint: str = Field("https://api.openai.com/v1", description="OpenAI API base URL (https only).")
    rotation_period: Duration = Field(
        2_592_000, description="The plugin rotates the admin key this often (default 30d; at least 1d)."
    )
    rotate_root: bool = Field(
        True, description="Rotate the admin key once configured, so no person knows it."
    )

    @model_validator(mode="after")
    def _pinned(self) -> OpenAiPluginConfig:
        problems: list[str] = []
        if not re.fullmatch(r"v\d+\.\d+\.\d+", self.version):
            problems.append(f"openai.version={self.version!r}: a release like v0.3.1 (pinned, no ranges)")
        problems += _sha256_problems("openai.sha256", self.sha256)
        problems += self._image_problems()
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", self.command) or ".." in self.command:
            problems.append(f"openai.command={self.command!r}: a file name inside plugin_directory, no path")
        if urlparse(self.api_endpoint).scheme != "https":
            problems.append(f"openai.api_endpoint={self.api_endpoint!r}: must be https")
        if not re.fullmatch(r"org-[A-Za-z0-9]{1,64}", self.organization_id):
            problems.append(f"openai.organization_id={self.organization_id!r}: an id like org-abc123")
        if self.rotation_period < 86_400:
            problems.append(f"openai.rotation_period={self.rotation_period}s: at least 1d")
        _report(problems)
        return self

    def _image_problems(self) -> list[str]:
        if self.image == OPERATOR_SUPPLIED:
            return [
                f"openai.image: still {OPERATOR_SUPPLIED}: set the plugin image you built or pulled, pinned "
                "as repo:tag@sha256:<digest> (docs/ai-keys.md)"
            ]
        problems = []
        match = _DIGEST_PINNED.fullmatch(self.image)
        if match is None:
            problems.append(
                f"openai.image={self.image!r}: must be pinned by version and digest: "
                "repo:tag@sha256:<64 hex digits>"
            )
        else:
            if len(set(self.image.rsplit(":", 1)[1])) == 1:
                problems.append(f"openai.image={self.image!r}: a placeholder digest, not an image's")
            # The binary reports its build's version and Vault refuses a registration under another one.
            if match["tag"].removeprefix("v") != self.version.removeprefix("v"):
                problems.append(
                    f"openai.image={self.image!r}: its tag must be openai.version ({self.version}): the "
                    "binary reports its release and Vault registers it only under that version"
                )
        if not re.fullmatch(r"(/[A-Za-z0-9_.-]+)+", self.binary_path) or ".." in self.binary_path.split("/"):
            problems.append(f"openai.binary_path={self.binary_path!r}: an absolute path inside the image")
        return problems


# `sha256sum` of an empty file: what a failed download or copy hashes to.
_EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def _sha256_problems(key: str, value: str) -> list[str]:
    if value == OPERATOR_SUPPLIED:
        return [
            f"{key}: still {OPERATOR_SUPPLIED}: set it to `sha256sum` of the plugin binary in the image "
            "(docs/ai-keys.md)"
        ]
    if not re.fullmatch(r"[0-9a-f]{64}", value):
        return [f"{key}: 64 lowercase hex digits (`sha256sum` of the plugin binary)"]
    # A placeholder such as 000...0 passes the format but would make Vault refuse to run the plugin at
    # the first mount (or worse, register whatever binary someone later gives that name).
    if len(set(value)) == 1:
        return [f"{key}={value[:8]}...: a placeholder, not the checksum of a binary"]
    if value == _EMPTY_SHA256:
        return [f"{key}: the checksum of an empty file, not of the plugin binary"]
    return []


class AiKeysConfig(Strict):
    """The read-only CI identity that reports overdue provider keys (`vaultctl keys status`)."""

    auditor_workflow: WorkflowFile = Field(
        ".github/workflows/keys-overdue.yml",
        description="The only workflow (`job_workflow_ref` on the deploy branch) that logs in as "
        "`keys-auditor`, which reads key metadata under `ai/providers/` and nothing else.",
    )
    auditor_events: list[Literal["schedule", "workflow_dispatch"]] = Field(
        ["schedule", "workflow_dispatch"],
        min_length=1,
        description="`event_name` values allowed to log in as `keys-auditor`.",
    )
    auditor_token_ttl: Duration = Field(600, description="`keys-auditor` token TTL (10 minutes).")


class NotificationChannel(Strict):
    name: Dns1123 = Field(description="Channel name (its display name in Cloud Monitoring).")
    type: Literal["email", "pagerduty"] = Field(description="`email` or `pagerduty`.")
    email_address: str | None = Field(None, description="For `email`: the address alerts go to.")
    service_key: SecretStr | None = Field(
        None, description="For `pagerduty`: the integration's service key, a `--secret` value."
    )
    alerts: Literal["all", "critical"] = Field(
        "all", description="`critical`: only the CRITICAL alarms (root token, config writes, key reads)."
    )

    @model_validator(mode="after")
    def _target(self) -> NotificationChannel:
        problems: list[str] = []
        if self.type == "email":
            if not self.email_address or not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", self.email_address):
                problems.append(f"alarms.notification_channels[{self.name}]: type email needs email_address")
            if self.service_key is not None:
                problems.append(f"alarms.notification_channels[{self.name}]: service_key is for pagerduty")
        if self.type == "pagerduty" and self.service_key is None:
            problems.append(f"alarms.notification_channels[{self.name}]: type pagerduty needs service_key")
        _report(problems)
        return self


class AlarmsConfig(Strict):
    """Log-based metrics and alert policies on the audit log Cloud Logging receives (GCP stacks)."""

    notification_channels: list[NotificationChannel] = Field(
        default_factory=list, description="Where alerts go (staging/prod need at least one)."
    )
    auth_failures: int = Field(
        5, ge=1, description="Failed logins per role and source address in 5 minutes that raise an alert."
    )
    permission_denied: int = Field(
        20, ge=1, description="Permission-denied answers in 5 minutes (all clients) that raise an alert."
    )
    office_hours_start: int = Field(
        7, ge=0, le=23, description="Provider-key reads by people and CI from this UTC hour..."
    )
    office_hours_end: int = Field(
        19, ge=1, le=24, description="...until this UTC hour raise no off-hours alert."
    )
    weekdays_only: bool = Field(True, description="Saturday and Sunday are off-hours too.")

    @model_validator(mode="after")
    def _hours(self) -> AlarmsConfig:
        problems: list[str] = []
        if self.office_hours_start >= self.office_hours_end:
            problems.append(
                f"alarms.office_hours_start ({self.office_hours_start}) must be before office_hours_end "
                f"({self.office_hours_end}), both UTC"
            )
        names = [c.name for c in self.notification_channels]
        if len(names) != len(set(names)):
            problems.append(f"alarms.notification_channels: duplicate names {names}")
        _report(problems)
        return self


# --------------------------------------------------------------------------- secrets into pods, people


_DIGEST_PINNED = re.compile(
    # An optional registry with a port (`registry.internal:5000/`), then the repository path.
    r"^(?P<repo>(?:[a-z0-9][a-z0-9.-]*:[0-9]{1,5}/)?[a-z0-9][a-z0-9._/-]*[a-z0-9]):(?P<tag>[A-Za-z0-9_][A-Za-z0-9._-]{0,127})"
    r"@sha256:[0-9a-f]{64}$"
)


def _digest_pinned(value: str) -> str:
    # A tag alone can be re-pushed; a digest alone hides which version it is. Both: readable and immutable.
    if not _DIGEST_PINNED.fullmatch(value):
        raise ValueError("must be pinned by version and digest: repo:tag@sha256:<64 hex digits>")
    return value


DigestPinnedImage = Annotated[str, AfterValidator(_digest_pinned)]
_QUANTITY = re.compile(r"^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi)?$")


def _quantity(value: str) -> str:
    if not _QUANTITY.fullmatch(value):
        raise ValueError("must be a Kubernetes quantity like 250m, 1, 64Mi or 1Gi")
    return value


Quantity = Annotated[str, AfterValidator(_quantity)]


class ContainerResources(Strict):
    cpu_request: Quantity = Field("50m", description="CPU request.")
    cpu_limit: Quantity = Field("250m", description="CPU limit.")
    memory_request: Quantity = Field("64Mi", description="Memory request.")
    memory_limit: Quantity = Field("128Mi", description="Memory limit.")


class InjectorConfig(Strict):
    """The Vault Agent Injector (vault-k8s, as vault-helm deploys it): annotations on a pod, files in it."""

    enabled: bool = Field(
        True, description="Deploy the injector (staging/prod) and generate pod annotations."
    )
    namespace: Dns1123 = Field("vault-injector", description="The injector's own namespace.")
    image: DigestPinnedImage = Field(
        "docker.io/hashicorp/vault-k8s:1.7.2@sha256:ae3d307658b72a1cf35dab9bdf92c995d45cdc7183af0516857714b5bd0ba84d",
        description="The injector (vault-k8s) image, pinned by version and digest (docs/facts.md says where "
        "the digest comes from and how to check it).",
    )
    agent_image: DigestPinnedImage = Field(
        "docker.io/hashicorp/vault:1.21.1@sha256:f4e2687b72858a9e2160c344c9fa1ef74c07f21a89a8c00534ab64d3f187b927",
        description="The Vault Agent image injected into pods, pinned by version and digest; its version "
        "is the server's (`cluster.image`).",
    )
    replicas: int = Field(
        2,
        ge=2,
        le=5,
        description="Injector pods. With `failure_policy: Fail` a pod in a service namespace cannot be "
        "created while no injector answers: at least 2, spread over nodes, with a PDB.",
    )
    failure_policy: Literal["Fail", "Ignore"] = Field(
        "Fail",
        description="What the API server does when the webhook cannot be reached: `Fail` refuses the "
        "service's pod (visible, retried by its controller) instead of starting it without its secrets.",
    )
    timeout_seconds: int = Field(
        10, ge=1, le=30, description="Webhook call timeout; a pod creation waits at most this long for it."
    )
    log_level: Literal["trace", "debug", "info", "warn", "error"] = Field(
        "info", description="Injector log level."
    )
    resources: ContainerResources = Field(
        default_factory=ContainerResources, description="The injector container's requests and limits."
    )
    agent_resources: ContainerResources = Field(
        default_factory=ContainerResources,
        description="Requests and limits of every injected agent container (init and sidecar).",
    )
    static_secret_render_interval: Duration = Field(
        300,
        description="How often a sidecar agent re-reads static (KV) secrets for its templates "
        "(`template_config.static_secret_render_interval`); leased secrets follow their leases.",
    )
    file_mode: Literal["0400", "0440"] = Field(
        "0440",
        description="Mode of the rendered secret files: `0440` lets the app read them through the pod's "
        "`fsGroup` (the agent runs as its own user); `0400` only when the app runs as the agent's uid.",
    )


_IDP_GROUP = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._@:/-]{0,127}$")
HUMAN_ROLES = ("operator", "auditor", "security-responder")


def _idp_group(value: str) -> str:
    if not _IDP_GROUP.fullmatch(value):
        raise ValueError("must be the IdP group name exactly (letters, digits, ' ._@:/-'; no '*')")
    return value


class HumanGroup(Strict):
    name: Dns1123 = Field(description="The Vault external group (`human-<name>`) for this IdP group.")
    idp_group: Annotated[str, AfterValidator(_idp_group)] = Field(
        description="The group name exactly as the IdP puts it in the groups claim."
    )
    role: Literal["operator", "auditor", "security-responder"] = Field(
        description="The human policy the group's members get (`human-<role>`); break-glass is never "
        "reachable through the IdP."
    )


class TotpConfig(Strict):
    issuer: str = Field(
        min_length=1, description="Issuer shown in authenticator apps, e.g. `Acme Vault prod`."
    )
    period: int = Field(30, ge=15, le=60, description="Seconds per code.")
    digits: Literal[6, 8] = Field(6, description="Digits per code.")
    algorithm: Literal["SHA1", "SHA256", "SHA512"] = Field(
        "SHA1", description="HMAC algorithm; SHA1 is what every authenticator app supports (RFC 6238)."
    )
    skew: Literal[0, 1] = Field(1, description="Periods of clock skew accepted either side.")
    key_size: int = Field(20, ge=20, le=64, description="Secret size in bytes (RFC 4226 asks for >= 20).")
    max_validation_attempts: int = Field(
        5, ge=1, le=10, description="Consecutive wrong codes before the entity is locked out of this method."
    )


class OidcConfig(Strict):
    path: VaultPath = Field("oidc", description="OIDC auth mount path.")
    discovery_url: str = Field(
        description="The IdP's issuer URL (https); Vault reads its discovery document."
    )
    discovery_ca_pem: str | None = Field(
        None, description="CA of the IdP's TLS certificate when not publicly trusted (the local IdP)."
    )
    client_id: str = Field(min_length=1, description="Vault's client id at the IdP.")
    client_secret: SecretStr = Field(description="Vault's client secret at the IdP: a `--secret` value.")
    groups_claim: str = Field("groups", min_length=1, description="ID-token claim carrying the groups.")
    user_claim: str = Field(
        "sub",
        min_length=1,
        description="Claim naming the person (the entity alias); `sub` never changes, unlike an email.",
    )
    scopes: list[str] = Field(
        default_factory=lambda: ["groups"],
        description="Scopes requested besides `openid` (the IdP's scope that adds the groups claim).",
    )
    token_ttl: Duration = Field(3600, description="TTL of a person's token (1 hour).")
    token_max_ttl: Duration = Field(28800, description="Max TTL of a person's token (a working day).")

    @model_validator(mode="after")
    def _https(self) -> OidcConfig:
        if urlparse(self.discovery_url).scheme != "https":
            raise ValueError(f"human_auth.oidc.discovery_url={self.discovery_url!r}: must be an https URL")
        _check_ttls(self.token_ttl, self.token_max_ttl, "human_auth.oidc.token_ttl", "token_max_ttl")
        return self


class HumanAuthConfig(Strict):
    """People: OIDC login through the organisation's IdP, IdP groups -> human policies, TOTP required."""

    oidc: OidcConfig = Field(description="The OIDC auth method people log in with (UI and CLI).")
    groups: list[HumanGroup] = Field(
        min_length=1, description="IdP groups mapped to Vault external groups and their human policy."
    )
    mfa: TotpConfig = Field(description="TOTP login MFA, enforced on the OIDC mount.")

    @model_validator(mode="after")
    def _unique(self) -> HumanAuthConfig:
        for key in ("name", "idp_group"):
            values = [getattr(g, key) for g in self.groups]
            dupes = sorted({v for v in values if values.count(v) > 1})
            if dupes:
                raise ValueError(f"human_auth.groups: duplicate {key} {dupes}")
        return self


# --------------------------------------------------------------------------- services catalog


class KubernetesIdentity(Strict):
    namespace: BoundName = Field(description="The service's namespace (bound exactly).")
    service_account: BoundName = Field(
        description="The service's Kubernetes service account (bound exactly)."
    )
    agent: Literal["auto", "init-only", "sidecar"] = Field(
        "auto",
        description="How the injected Vault Agent runs: `init-only` renders the files once before the app "
        "starts (`agent-pre-populate-only`), `sidecar` keeps an agent renewing leases and re-rendering; "
        "`auto` is a sidecar when the service has leased secrets (database, AWS) or transit keys, else "
        "init-only.",
    )


class GithubIdentity(Strict):
    repository: str = Field(description="`owner/repo` allowed to log in.")
    repository_id: int | None = Field(
        None,
        gt=0,
        description="GitHub's numeric id of that repository; when set, the `repository_id` claim is bound too "
        "(a name can be re-registered after a rename, an id cannot).",
    )
    refs: list[str] = Field(default_factory=list, description="Allowed `ref` claims, e.g. refs/heads/main.")
    environments: list[str] = Field(default_factory=list, description="Allowed GitHub environments.")
    events: list[Literal["push", "workflow_dispatch", "pull_request", "schedule", "merge_group"]] = Field(
        ["push"],
        min_length=1,
        description="Allowed `event_name` claims; the default `push` keeps pull-request runs (code not yet "
        "reviewed) out.",
    )

    @model_validator(mode="after")
    def _bound(self) -> GithubIdentity:
        problems = []
        if not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", self.repository):
            problems.append(f"github.repository={self.repository!r}: must be owner/repo without wildcards")
        if not (self.refs or self.environments):
            problems.append(
                f"github ({self.repository}): needs refs or environments to bind the JWT role's claims"
            )
        for value in [*self.refs, *self.environments]:
            if not value or "*" in value:
                problems.append(f"github ({self.repository}): claim value {value!r} must be exact, no '*'")
        _report(problems)
        return self


class TransitGrant(Strict):
    key: Dns1123 = Field(description="Transit key name (must be in transit.keys).")
    operations: list[Literal["encrypt", "decrypt", "sign", "verify", "hmac"]] = Field(
        min_length=1, description="Operations granted, each its own policy path."
    )


class AiKey(Strict):
    """One static model-provider key of a service: who owns it and how often it must rotate. Written as
    the KV v2 custom metadata of `ai/providers/<provider>/<service>` (never the key itself)."""

    provider: Dns1123 = Field(description="Provider (must be in kv.ai_providers).")
    owner: str = Field(description="Who answers for the key (a team address or handle).")
    rotation_period: Duration = Field(
        7_776_000, description="Rotate at least this often (default 90d; 1d to 365d)."
    )
    ticket: str = Field(
        description="Where the key's issue/rotation is tracked, e.g. SEC-1234 or an https URL."
    )

    @model_validator(mode="after")
    def _metadata(self) -> AiKey:
        # Custom metadata values are plain strings shown to operators; no line breaks or quotes.
        problems = []
        if not _METADATA_TEXT.fullmatch(self.owner):
            problems.append(
                f"ai_keys[{self.provider}].owner={self.owner!r}: 1-128 printable characters, no quotes"
            )
        if not _TICKET.fullmatch(self.ticket):
            problems.append(
                f"ai_keys[{self.provider}].ticket={self.ticket!r}: a ticket id like SEC-1234 or an https URL"
            )
        if not 86_400 <= self.rotation_period <= 31_536_000:
            problems.append(
                f"ai_keys[{self.provider}].rotation_period={self.rotation_period}s: between 1d and 365d"
            )
        _report(problems)
        return self


class KvShare(Strict):
    service: Dns1123 = Field(description="The service whose subtree `apps/<service>/` holds the secret.")
    path: VaultPath = Field(description="The secret, relative to that subtree (exact: no globs).")


class KvGrant(Strict):
    own: Literal["none", "read", "write"] = Field(
        "read", description="Access to the service's own subtree `apps/<service>/` (identity-templated)."
    )
    read: list[VaultPath] = Field(
        default_factory=list,
        description="Extra KV paths the service may read; never inside a service's subtree (`apps/`) or "
        "`ai/` (use `shares_from` and `ai_providers`).",
    )
    ai_providers: list[Dns1123] = Field(
        default_factory=list,
        description="Providers whose key at `ai/providers/<provider>/<service>` it reads (derived from "
        "`ai_keys` when omitted).",
    )
    ai_keys: list[AiKey] = Field(
        default_factory=list,
        description="One entry per provider key: owner, rotation period, ticket (`vaultctl keys status`).",
    )
    shares_from: list[KvShare] = Field(
        default_factory=list,
        description="Secrets of other services it reads: each a declared, read-only cross-service share, "
        "reported by `vaultctl plan` (VP-SHARE-001).",
    )

    @model_validator(mode="before")
    @classmethod
    def _providers_from_keys(cls: type[KvGrant], data: Any) -> Any:
        if isinstance(data, dict) and "ai_providers" not in data and isinstance(data.get("ai_keys"), list):
            data = {
                **data,
                "ai_providers": [k.get("provider") for k in data["ai_keys"] if isinstance(k, dict)],
            }
        return data


def _kv_grant_problems(service: str, kv: KvGrant) -> list[str]:
    """A `kv.read` path must not cross into a tenant's subtree: cross-service reads are declared shares."""
    problems = []
    for path in kv.read:
        parts = path.split("/")
        if parts[0] == "apps" and (len(parts) < 3 or parts[1] != service):
            owner = parts[1] if len(parts) > 1 else "<service>"
            fix = (
                f"declare it as kv.shares_from: [{{service: {owner}, path: {'/'.join(parts[2:])}}}]"
                if len(parts) > 2
                else "name one secret inside it with kv.shares_from"
            )
            problems.append(
                f"services[{service}].kv.read={path!r}: inside service {owner}'s subtree (apps/{owner}/); {fix}"
            )
        elif parts[0] == "ai":
            problems.append(
                f"services[{service}].kv.read={path!r}: model keys under ai/ are read through kv.ai_providers"
            )
    problems += [
        f"services[{service}].kv.shares_from: {share.path!r} is in its own subtree; use kv.own"
        for share in kv.shares_from
        if share.service == service
    ]
    return problems


class OpenAiGrant(Strict):
    """A service's dynamic OpenAI keys: project service-account keys minted per lease by the plugin."""

    project_id: str = Field(description="OpenAI project the service account is created in (`proj_...`).")
    ttl: Duration = Field(3600, description="Lease TTL of a minted key (the plugin deletes it on expiry).")
    max_ttl: Duration = Field(86400, description="Maximum lease TTL of a minted key.")

    @model_validator(mode="after")
    def _shape(self) -> OpenAiGrant:
        problems = []
        if not re.fullmatch(r"proj_[A-Za-z0-9]{1,64}", self.project_id):
            problems.append(f"openai.project_id={self.project_id!r}: an OpenAI project id like proj_abc123")
        problems += _ttl_problems(self.ttl, self.max_ttl, "openai.ttl", "max_ttl")
        _report(problems)
        return self


class Service(Strict):
    name: Dns1123 = Field(description="Service name: the unit of policy and auth roles.")
    description: str = Field("", description="What it is, for operators.")
    kubernetes: KubernetesIdentity | None = Field(None, description="Workload identity in the cluster.")
    github: GithubIdentity | None = Field(None, description="CI identity (GitHub Actions OIDC).")
    kv: KvGrant = Field(default_factory=KvGrant, description="KV access.")
    database_role: Dns1123 | None = Field(None, description="Database role it may read creds for.")
    aws_role: Dns1123 | None = Field(None, description="AWS role it may read creds for.")
    transit: list[TransitGrant] = Field(default_factory=list, description="Transit key grants.")
    openai: OpenAiGrant | None = Field(
        None, description="Dynamic OpenAI keys: a role `<openai.path>/roles/<service>` (needs `openai`)."
    )
    token_ttl: Duration = Field(3600, description="Token TTL of its logins.")
    token_max_ttl: Duration = Field(14400, description="Token max TTL of its logins.")

    @model_validator(mode="after")
    def _identity(self) -> Service:
        problems = []
        if not (self.kubernetes or self.github):
            problems.append(f"services[{self.name}]: needs a kubernetes or github identity to log in with")
        problems += _ttl_problems(
            self.token_ttl, self.token_max_ttl, f"services[{self.name}].token_ttl", "token_max_ttl"
        )
        problems += _kv_grant_problems(self.name, self.kv)
        # A key nobody owns is the one nobody rotates: each provider read needs its metadata.
        declared = [k.provider for k in self.kv.ai_keys]
        if sorted(declared) != sorted(set(self.kv.ai_providers)) or len(declared) != len(set(declared)):
            problems.append(
                f"services[{self.name}].kv.ai_keys: providers {sorted(declared)} must list each of "
                f"kv.ai_providers {sorted(set(self.kv.ai_providers))} exactly once, with owner, "
                "rotation_period and ticket"
            )
        _report(problems)
        return self


# --------------------------------------------------------------------------- the stack


class StackConfig(Strict):
    environment: Literal["prod", "staging", "local"] = Field(description="Stack kind.")
    gcp: GcpConfig | None = Field(None, description="GCP platform (required for staging/prod).")
    kms: KmsConfig | None = Field(None, description="Auto-unseal key (required for staging/prod).")
    cluster: ClusterConfig = Field(description="The Vault server cluster.")
    snapshots: SnapshotConfig | None = Field(None, description="Raft snapshots (required for staging/prod).")
    vault: VaultConfig = Field(description="Vault server-wide settings the configuration layer applies.")
    kv: KvConfig = Field(default_factory=KvConfig, description="KV v2 mount.")
    transit: TransitConfig = Field(default_factory=TransitConfig, description="Transit mount and keys.")
    database: DatabaseConfig | None = Field(None, description="PostgreSQL database engine.")
    aws: AwsConfig | None = Field(None, description="AWS secrets engine (not in OpenBao).")
    kubernetes_auth: KubernetesAuthConfig = Field(
        default_factory=KubernetesAuthConfig, description="Kubernetes auth method."
    )
    github_oidc: GithubOidcConfig = Field(description="JWT auth for GitHub Actions OIDC.")
    deployer: DeployerConfig = Field(description="The CI identity that applies this layer.")
    previewer: PreviewerConfig = Field(
        default_factory=PreviewerConfig, description="The read-only CI identity of previews and drift."
    )
    services: list[Service] = Field(default_factory=list, description="The catalog of applications.")
    openai: OpenAiPluginConfig | None = Field(
        None, description="OpenAI secrets plugin for dynamic keys (HashiCorp Vault stacks; not local)."
    )
    ai_keys: AiKeysConfig = Field(
        default_factory=AiKeysConfig, description="Static provider keys' lifecycle: the overdue report."
    )
    alarms: AlarmsConfig = Field(
        default_factory=AlarmsConfig, description="Audit-log alarms in Cloud Monitoring (GCP stacks)."
    )
    injector: InjectorConfig = Field(
        default_factory=InjectorConfig, description="The Vault Agent Injector and the pod annotations."
    )
    human_auth: HumanAuthConfig | None = Field(
        None, description="People's login: OIDC with IdP groups and TOTP MFA (none: break-glass only)."
    )

    @model_validator(mode="after")
    def _consistent(self) -> StackConfig:
        # Every check appends instead of raising, so one run reports every problem.
        _report(
            self._stack_problems()
            + self._catalog_problems()
            + self._injection_problems()
            + self._human_auth_problems()
            + self._ai_key_problems()
        )
        return self

    def _stack_problems(self) -> list[str]:  # noqa: C901 -- a flat list of independent per-stack rules
        env, cluster = self.environment, self.cluster
        problems = []
        if cluster.nodes < 3 or cluster.nodes % 2 == 0:
            problems.append(f"cluster.nodes={cluster.nodes}: must be odd and >= 3 (prod: 5)")
        elif env == "prod" and cluster.nodes != 5:
            problems.append(f"cluster.nodes={cluster.nodes}: prod must run 5 voters")
        if env != "local":
            for key in ("gcp", "kms", "snapshots"):
                if getattr(self, key) is None:
                    problems.append(f"{key}: required for the {env} stack")
            if len(set(cluster.zones)) < 3:
                problems.append(f"cluster.zones={cluster.zones}: {env} needs 3 distinct zones")
            if not self.github_oidc.oidc_discovery_url:
                problems.append(f"github_oidc.oidc_discovery_url: required for the {env} stack")
            # (A missing gcp or snapshots section is reported above; the checks needing them wait.)
            if self.gcp is not None and self.gcp.project_number is None:
                problems.append(
                    f"gcp.project_number: required for the {env} stack (the CI identities' Workload "
                    "Identity Federation principals name the project by number)"
                )
            if (
                self.gcp is not None
                and self.snapshots is not None
                and not self.snapshots.bucket_location(self.gcp.region)
            ):
                problems.append(
                    f"snapshots.location: required for gcp.region={self.gcp.region!r} (no default "
                    "multi-region covers it); set a multi-region or a dual-region"
                )
            if self.database and self.database.sslmode in ("disable", "require"):
                problems.append(
                    f"database.sslmode={self.database.sslmode!r}: {env} needs verify-ca or verify-full"
                )
            if self.gcp is not None:
                problems += self._access_problems()
            for device in self.vault.audit:
                if device.type == "file" and device.file_path != "stdout":
                    problems.append(
                        f"vault.audit[{device.name}].file_path={device.file_path!r}: GKE pods have a "
                        "read-only root filesystem and no audit volume; use file_path: stdout (Cloud "
                        "Logging) or a socket device"
                    )
        if env == "prod" and self.kms and self.gcp and self.kms_project() == self.gcp.project:
            problems.append(
                f"kms.project: prod keeps its unseal key and snapshot bucket in a recovery project of "
                f"their own, not gcp.project ({self.gcp.project!r}): losing that project would lose "
                "every snapshot (docs/disaster-recovery.md)"
            )
        if env == "prod" and self.kms and self.kms.protection_level != "HSM":
            problems.append(f"kms.protection_level={self.kms.protection_level!r}: prod must be HSM")
        if cluster.server == "openbao" and self.aws is not None:
            problems.append("aws: OpenBao has no AWS secrets engine; remove it for cluster.server=openbao")
        if env != "local" and cluster.server != "vault":
            problems.append(
                f"cluster.server={cluster.server!r}: {env} auto-unseals with Cloud KMS, whose `gcpckms` "
                "seal OpenBao 2.7 does not build in; use server: vault"
            )
        return problems

    def kms_project(self) -> str:
        """The recovery project (unseal key ring, snapshot bucket): `kms.project`, else the stack's own."""
        if self.kms is not None and self.kms.project:
            return self.kms.project
        if self.gcp is None:
            raise ValueError(f"stack {self.environment!r} has no gcp settings: no KMS project")
        return self.gcp.project

    def _ai_key_problems(self) -> list[str]:
        problems = []
        if self.environment != "local" and not self.alarms.notification_channels:
            problems.append(
                f"alarms.notification_channels: the {self.environment} stack needs at least one (email or "
                "pagerduty), or its audit alarms reach nobody"
            )
        if self.openai is not None and self.cluster.plugin_directory is None:
            # Without it Vault answers the catalog write with "plugin directory is not configured".
            problems.append(
                "cluster.plugin_directory: required with the `openai` plugin (Vault registers and runs "
                "external plugins only from there), e.g. /vault/plugins"
            )
        dynamic = [s.name for s in self.services if s.openai]
        if dynamic and self.openai is None:
            problems.append(f"services {dynamic} ask for dynamic OpenAI keys: add the `openai` section")
        for s in self.services:
            if s.openai and s.openai.max_ttl > self.vault.max_lease_ttl:
                problems.append(
                    f"services[{s.name}].openai.max_ttl={s.openai.max_ttl}s: above vault.max_lease_ttl "
                    f"({self.vault.max_lease_ttl}s)"
                )
        return problems

    def _injection_problems(self) -> list[str]:
        injector, problems = self.injector, []
        services = self.service_namespaces()
        # The webhook fails closed on service namespaces: if the injector's own namespace (or Vault's)
        # were one, a down injector could never be re-created.
        for key, namespace in (
            ("injector.namespace", injector.namespace),
            ("cluster.namespace", self.cluster.namespace),
        ):
            if namespace in services or namespace in ("kube-system", "kube-public", "default"):
                problems.append(
                    f"{key}={namespace!r}: must not be a service namespace or a system namespace (the "
                    "webhook would gate the pods that serve it)"
                )
        for system in ("kube-system", "kube-public", "kube-node-lease"):
            if system in services:
                problems.append(
                    f"services: namespace {system!r} is the cluster's own; the injector's webhook fails "
                    "closed on service namespaces and must never gate system pods"
                )
        if injector.namespace == self.cluster.namespace:
            problems.append(
                f"injector.namespace={injector.namespace!r}: give the injector its own namespace, not Vault's"
            )
        if self.environment != "local" and self.cluster.server == "vault" and injector.enabled:
            # Same major.minor as the server: Vault supports agents no newer than the server.
            agent_tag = injector.agent_image.split("@")[0].rpartition(":")[2]
            server_tag = self.cluster.image.split("@")[0].rpartition(":")[2]
            if agent_tag.split(".")[:2] != server_tag.split(".")[:2]:
                problems.append(
                    f"injector.agent_image={injector.agent_image!r}: run the server's release "
                    f"({server_tag}, cluster.image) as the agent"
                )
        for s in self.services:
            k8s = s.kubernetes
            if k8s and k8s.agent == "init-only" and (s.database_role or s.aws_role or s.transit):
                problems.append(
                    f"services[{s.name}].kubernetes.agent='init-only': its leased secrets (database, AWS) "
                    "or transit token need a renewing sidecar; use agent: sidecar or auto"
                )
        return problems

    def _human_auth_problems(self) -> list[str]:
        human = self.human_auth
        problems: list[str] = []
        if human is None:
            return problems
        if human.oidc.token_max_ttl > self.vault.max_token_ttl:
            problems.append(
                f"human_auth.oidc.token_max_ttl={human.oidc.token_max_ttl}s: above vault.max_token_ttl "
                f"({self.vault.max_token_ttl}s)"
            )
        if human.oidc.path in (self.kubernetes_auth.path, self.github_oidc.path):
            problems.append(f"human_auth.oidc.path={human.oidc.path!r}: already used by another auth method")
        return problems

    def _access_problems(self) -> list[str]:
        access, gcp = self.cluster.api_access, self.gcp
        assert gcp is not None
        if access is None:
            return [f"cluster.api_access: required for the {self.environment} stack (the way in)"]
        problems = []
        url = urlparse(self.vault.address)
        # The load balancer serves the listener's port only: anything else would never connect.
        if url.scheme != "https" or url.port != API_PORT:
            problems.append(
                f"vault.address={self.vault.address!r}: the load balancer serves https on port {API_PORT} "
                f"(e.g. https://vault.{access.dns_zone}:{API_PORT})"
            )
        host = url.hostname or ""
        if not host.endswith("." + access.dns_zone):
            problems.append(
                f"vault.address host {host!r} is not inside cluster.api_access.dns_zone "
                f"{access.dns_zone!r}: nothing would resolve it"
            )
        # An ipBlock over the cluster's own ranges would admit every pod (around the namespace list) or
        # the control plane: client ranges come from outside.
        own = {
            "gcp.pods_cidr": gcp.pods_cidr,
            "gcp.services_cidr": gcp.services_cidr,
            "gcp.master_cidr": gcp.master_cidr,
        }
        for cidr in access.allowed_cidrs:
            for key, value in own.items():
                if ipaddress.IPv4Network(cidr).overlaps(ipaddress.IPv4Network(value)):
                    problems.append(f"cluster.api_access.allowed_cidrs: {cidr} overlaps {key} ({value})")
        return problems

    def _catalog_problems(self) -> list[str]:  # noqa: C901 -- a flat list of independent catalog rules
        problems = []
        names = [s.name for s in self.services]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            problems.append(f"services: duplicate service names {dupes}")
        identities = [
            f"kubernetes {s.kubernetes.namespace}/{s.kubernetes.service_account}"
            for s in self.services
            if s.kubernetes
        ]
        identities += [f"github {s.github.repository}" for s in self.services if s.github]
        shared = sorted({i for i in identities if identities.count(i) > 1})
        if shared:
            # Two services on one identity would each get the other's grants.
            problems.append(f"services: identity used by more than one service: {shared}")
        db_roles = {r.name for r in self.database.roles} if self.database else set()
        aws_roles = {r.name for r in self.aws.roles} if self.aws else set()
        transit_keys = {k.name for k in self.transit.keys}
        providers = set(self.kv.ai_providers)
        cap = self.vault.max_token_ttl
        for s in self.services:
            if s.database_role and s.database_role not in db_roles:
                problems.append(
                    f"services[{s.name}].database_role={s.database_role!r}: not defined"
                    f"{did_you_mean(s.database_role, db_roles)} (database.roles: {sorted(db_roles)})"
                )
            if s.aws_role and s.aws_role not in aws_roles:
                problems.append(
                    f"services[{s.name}].aws_role={s.aws_role!r}: not defined"
                    f"{did_you_mean(s.aws_role, aws_roles)} (aws.roles: {sorted(aws_roles)})"
                )
            for grant in s.transit:
                if grant.key not in transit_keys:
                    problems.append(
                        f"services[{s.name}].transit.key={grant.key!r}: not defined"
                        f"{did_you_mean(grant.key, transit_keys)} (transit.keys: {sorted(transit_keys)})"
                    )
            for share in s.kv.shares_from:
                if share.service not in names:
                    problems.append(
                        f"services[{s.name}].kv.shares_from: service {share.service!r} is not in the catalog"
                        f"{did_you_mean(share.service, names)} (services: {sorted(set(names))})"
                    )
            for provider in s.kv.ai_providers:
                if provider not in providers:
                    problems.append(
                        f"services[{s.name}].kv.ai_providers: {provider!r} not in kv.ai_providers "
                        f"{sorted(providers)}{did_you_mean(provider, providers)}"
                    )
            if s.token_max_ttl > cap:
                problems.append(
                    f"services[{s.name}].token_max_ttl={s.token_max_ttl}s: above vault.max_token_ttl ({cap}s)"
                )
        return problems

    # Convenience views the layers use; derived, never stored.
    def service_namespaces(self) -> list[str]:
        return sorted({s.kubernetes.namespace for s in self.services if s.kubernetes})

    def provider_keys(self) -> list[tuple[Service, AiKey]]:
        """Every static provider key (`ai/providers/<provider>/<service>`), in catalog order."""
        return [(s, key) for s in self.services for key in s.kv.ai_keys]


_SECRET_KEYS = ("password", "secret_key", "access_key", "client_secret", "api_key", "service_key")


def _key_path(loc: tuple[Any, ...], raw: Any) -> str:
    """`services[billing].kubernetes.namespace`: list items named by their `name` where they have
    one (what an operator searches the stack file for), by index otherwise."""
    path = ""
    node = raw
    for part in loc:
        if isinstance(part, int):
            item = node[part] if isinstance(node, list) and -len(node) <= part < len(node) else None
            name = item.get("name") if isinstance(item, dict) else None
            path += f"[{name}]" if isinstance(name, str) and name else f"[{part}]"
            node = item
        else:
            path += f".{part}" if path else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return path


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class that holds the key at `loc` (for the allowed keys of a misspelt one)."""
    model: type[BaseModel] = StackConfig
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part)) or next(
            (f for f in model.model_fields.values() if f.alias == part), None
        )
        inner = _inner_model(field.annotation) if field else None
        if inner is None:
            return None
        model = inner
    return model


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _allowed_keys(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def _problems(err: ValidationError, raw: Any, skip: frozenset[tuple[Any, ...]] = frozenset()) -> list[str]:
    """One line per problem, each naming its key path, the bad value (never a secret's) and the fix;
    problems located exactly at a path in `skip` are left out."""
    lines: list[str] = []
    for item in err.errors():
        loc = tuple(item["loc"])
        if loc in skip:
            continue
        key = _key_path(loc, raw)
        msg = item["msg"].removeprefix("Value error, ")
        value = item.get("input")
        if item["type"] == "extra_forbidden":
            model = _model_at(loc[:-1])
            hint = did_you_mean(loc[-1], _allowed_keys(model)) if model else ""
            lines.append(
                f"{key}: unknown key{hint or ' (misspelt?)'}; the README's config reference lists the "
                "allowed keys"
            )
        elif item["type"] == "missing":
            lines.append(f"{key}: required key is missing")
        elif isinstance(value, dict):
            # A model-level check: its messages already name the key and the value, one per line.
            lines += msg.splitlines()
        else:
            shown = "[secret]" if any(word in key for word in _SECRET_KEYS) else repr(value)
            hint = ""
            if item["type"] == "literal_error":
                options = re.findall(r"'([^']*)'", str((item.get("ctx") or {}).get("expected", "")))
                hint = did_you_mean(value, options)
            lines.append(f"{key}={shown}: {msg}{hint}")
    return lines


def _prune(raw: Any, err: ValidationError) -> tuple[Any, set[str], frozenset[tuple[Any, ...]]] | None:
    """`raw` without the parts that failed field validation (so the stack-wide checks can still run
    over the rest), the names of the list items dropped and the lists they were dropped from (whose
    own checks, e.g. a minimum length, would only echo the drop); None when a required section itself
    is bad."""
    import copy

    pruned = copy.deepcopy(raw)
    drop_items: dict[tuple[Any, ...], set[int]] = {}
    drop_keys: set[tuple[Any, ...]] = set()
    for item in err.errors():
        loc = tuple(item["loc"])
        if not loc:
            return None  # the stack-wide checks themselves failed: nothing more to find
        list_positions = [(i, part) for i, part in enumerate(loc) if isinstance(part, int)]
        if list_positions:
            last_index, position = list_positions[-1]
            drop_items.setdefault(loc[:last_index], set()).add(position)
            continue
        model = _model_at(loc[:-1])
        field = model.model_fields.get(str(loc[-1])) if model else None
        if item["type"] == "extra_forbidden" or (field is not None and not field.is_required()):
            drop_keys.add(loc)  # the default stands in for a bad optional value
        else:
            return None
    names: set[str] = set()
    for path, indexes in drop_items.items():
        holder = _walk(pruned, path)
        if not isinstance(holder, list):
            return None
        for index in sorted(indexes, reverse=True):
            if 0 <= index < len(holder):
                gone = holder.pop(index)
                if isinstance(gone, dict) and isinstance(gone.get("name"), str):
                    names.add(gone["name"])
    for loc in drop_keys:
        holder = _walk(pruned, loc[:-1])
        if isinstance(holder, dict):
            holder.pop(loc[-1], None)
    return pruned, names, frozenset(drop_items)


def _dropped_keys(err: ValidationError) -> list[tuple[Any, ...]]:
    """The locations of the whole keys (not list items) that failed their own validation."""
    return [
        tuple(item["loc"])
        for item in err.errors()
        if item["loc"] and not any(isinstance(part, int) for part in item["loc"])
    ]


def _walk(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        if isinstance(part, int) and isinstance(data, list) and 0 <= part < len(data):
            data = data[part]
        elif isinstance(data, dict):
            data = data.get(part)
        else:
            return None
    return data


def parse_stack_config(raw: Mapping[str, Any]) -> StackConfig:
    """Validate the stack's config (keys without the project prefix) or raise ConfigError listing
    every problem at once.

    Pydantic reports every bad field in one pass, but the stack-wide checks (references between
    sections, per-environment rules) only run on a model whose fields are all valid. So after a field
    error the bad parts are dropped and the rest validated again, and what those checks find is
    reported too, except problems about the items just dropped (an undefined role because the role
    itself was invalid would only repeat the first error).
    """
    data = dict(raw)
    try:
        return StackConfig.model_validate(data)
    except ValidationError as err:
        problems = _problems(err, data)
        pruned = _prune(data, err)
        if pruned is not None:
            rest, dropped, shortened = pruned
            # A section dropped for its own problem is not also "required" (it is there, but bad).
            gone = {".".join(map(str, loc)) for loc in _dropped_keys(err)}
            try:
                StackConfig.model_validate(rest)
            except ValidationError as again:
                for line in _problems(again, rest, skip=shortened):
                    # ...nor missing where a check names it as a section ("add the `openai` section").
                    about_dropped = any(f"[{n}]" in line or f"'{n}'" in line for n in dropped) or any(
                        line.startswith(f"{key}: required") or f"the `{key}` section" in line for key in gone
                    )
                    if line not in problems and not about_dropped:
                        problems.append(line)
    if len(problems) == 1:  # one line, as callers that show only a first line (plan --against) need
        raise ConfigError(f"invalid stack config: {problems[0]}")
    raise ConfigError(f"invalid stack config ({len(problems)} problems):\n  " + "\n  ".join(problems))


def load_stack_config() -> StackConfig:
    """Read every `vault-platform:*` key the engine (or the mocks' PULUMI_CONFIG) holds, then validate."""
    import json

    from pulumi.runtime import config as runtime_config

    merged = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    raw: dict[str, Any] = {}
    prefix = f"{PROJECT}:"
    for key, value in merged.items():
        if not key.startswith(prefix):
            continue
        try:
            raw[key[len(prefix) :]] = json.loads(value) if isinstance(value, str) else value
        except json.JSONDecodeError:
            raw[key[len(prefix) :]] = value  # a plain string value
    return parse_stack_config(raw)
