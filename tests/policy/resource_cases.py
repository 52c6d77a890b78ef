"""Declared resources, as camelCase inputs the way the Pulumi mocks and CrossGuard present them, with the
rules each must trigger. Quiet cases expect nothing."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

K8S_ROLE = "vault:kubernetes/authBackendRole:AuthBackendRole"
JWT_ROLE = "vault:jwt/authBackendRole:AuthBackendRole"
APPROLE_ROLE = "vault:appRole/authBackendRole:AuthBackendRole"
TOKEN_ROLE = "vault:tokenauth/authBackendRole:AuthBackendRole"
TOKEN = "vault:index/token:Token"
DB_ROLE = "vault:database/secretBackendRole:SecretBackendRole"
DB_CONNECTION = "vault:database/secretBackendConnection:SecretBackendConnection"
DB_MOUNT = "vault:database/secretsMount:SecretsMount"
AWS_ROLE = "vault:aws/secretBackendRole:SecretBackendRole"
POLICY = "vault:index/policy:Policy"
PROVIDER = "pulumi:providers:vault"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
SERVICE_ACCOUNT = "gcp:serviceaccount/account:Account"
SECRET = "kubernetes:core/v1:Secret"


@dataclass(frozen=True)
class Case:
    name: str
    type: str
    inputs: dict[str, Any]
    expect: frozenset[str] = field(default_factory=frozenset)


def case(name: str, type_token: str, inputs: dict[str, Any], *expect: str) -> Case:
    return Case(name, type_token, inputs, frozenset(expect))


K8S_OK = {
    "roleName": "app-a",
    "boundServiceAccountNames": ["app-a"],
    "boundServiceAccountNamespaces": ["app-a"],
    "tokenTtl": 900.0,
    "tokenMaxTtl": 3600.0,
    "tokenPolicies": ["kv-own-read"],
}
JWT_OK = {
    "roleName": "deployer",
    "roleType": "jwt",
    "userClaim": "sub",
    "boundAudiences": ["https://github.com/acme"],
    "boundClaims": {"repository": "acme/vault-platform", "environment": "prod"},
    "boundClaimsType": "string",
    "tokenMaxTtl": 1800.0,
}
DB_ROLE_OK = {
    "name": "app-a-readonly",
    "backend": "database",
    "dbName": "postgres",
    "creationStatements": [
        "CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}' NOSUPERUSER "
        'NOCREATEROLE NOCREATEDB; GRANT SELECT ON ALL TABLES IN SCHEMA app_a TO "{{name}}";'
    ],
    "revocationStatements": [
        'REASSIGN OWNED BY "{{name}}" TO app_owner; DROP OWNED BY "{{name}}"; DROP ROLE "{{name}}";'
    ],
    "defaultTtl": 3600.0,
    "maxTtl": 14400.0,
}
AWS_OK_DOC = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::app-a/*"]}],
}
AWS_OK = {
    "name": "app-a",
    "backend": "aws",
    "credentialType": "assumed_role",
    "policyDocument": json.dumps(AWS_OK_DOC),
}


def _aws(statement: dict[str, Any]) -> dict[str, Any]:
    return {**AWS_OK, "policyDocument": json.dumps({"Version": "2012-10-17", "Statement": [statement]})}


POD_SPEC_OK = {
    "securityContext": {"runAsNonRoot": True, "runAsUser": 100.0, "fsGroup": 1000.0},
    "containers": [
        {
            "name": "vault",
            "image": "hashicorp/vault:1.21.1",
            "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"add": ["IPC_LOCK"]}},
            "resources": {"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"memory": "2Gi"}},
            "env": [{"name": "VAULT_ADDR", "value": "https://127.0.0.1:8200"}],
        }
    ],
    "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}],
}


def _pod(**changes: Any) -> dict[str, Any]:
    spec = json.loads(json.dumps(POD_SPEC_OK))
    container_changes = changes.pop("container", {})
    spec["containers"][0].update(container_changes)
    spec.update(changes)
    return spec


def statefulset(spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "spec": {"serviceName": "vault", "template": {"spec": spec}},
    }


def cronjob(spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": "CronJob",
        "spec": {"schedule": "0 * * * *", "jobTemplate": {"spec": {"template": {"spec": spec}}}},
    }


SERVER_HCL_OK = 'listener "tcp" {\n  tls_cert_file = "/tls/tls.crt"\n  tls_min_version = "tls13"\n}\n'

CASES: list[Case] = [
    # Kubernetes auth roles
    case("k8s-role-scoped", K8S_ROLE, K8S_OK),
    case("k8s-role-namespace-selector-instead-of-list", K8S_ROLE,
         {**K8S_OK, "boundServiceAccountNamespaces": [], "boundServiceAccountNamespaceSelector": '{"matchLabels":{"team":"a"}}'}),
    case("k8s-role-wildcard-sa", K8S_ROLE, {**K8S_OK, "boundServiceAccountNames": ["*"]}, "VP-K8SAUTH-001"),
    case("k8s-role-no-sa", K8S_ROLE, {**K8S_OK, "boundServiceAccountNames": []}, "VP-K8SAUTH-001"),
    case("k8s-role-wildcard-namespace", K8S_ROLE, {**K8S_OK, "boundServiceAccountNamespaces": ["*"]}, "VP-K8SAUTH-002"),
    case("k8s-role-no-namespace", K8S_ROLE, {k: v for k, v in K8S_OK.items() if k != "boundServiceAccountNamespaces"},
         "VP-K8SAUTH-002"),
    case("k8s-role-no-ttl-cap", K8S_ROLE, {k: v for k, v in K8S_OK.items() if k != "tokenMaxTtl"}, "VP-TTL-001"),
    case("k8s-role-periodic-forever", K8S_ROLE, {**K8S_OK, "tokenPeriod": 3600.0}, "VP-TTL-001"),
    case("k8s-role-ttl-above-cap", K8S_ROLE, {**K8S_OK, "tokenMaxTtl": 7 * 86400.0}, "VP-TTL-002"),
    case("k8s-role-default-above-max", K8S_ROLE, {**K8S_OK, "tokenTtl": 7200.0}, "VP-TTL-003"),
    # JWT roles
    case("jwt-role-bound", JWT_ROLE, JWT_OK),
    case("jwt-role-glob-with-literal-prefix", JWT_ROLE,
         {**JWT_OK, "boundClaimsType": "glob", "boundClaims": {"sub": "repo:acme/vault-platform:environment:*"}}),
    case("jwt-oidc-role-without-audience", JWT_ROLE, {**JWT_OK, "roleType": "oidc", "boundAudiences": []}),
    case("jwt-role-no-audience", JWT_ROLE, {k: v for k, v in JWT_OK.items() if k != "boundAudiences"}, "VP-JWT-001"),
    case("jwt-role-unbound", JWT_ROLE, {k: v for k, v in JWT_OK.items() if k != "boundClaims"}, "VP-JWT-002"),
    case("jwt-role-subject-only", JWT_ROLE,
         {**{k: v for k, v in JWT_OK.items() if k != "boundClaims"}, "boundSubject": "repo:acme/vault-platform:environment:prod"}),
    case("jwt-role-wildcard-claim", JWT_ROLE, {**JWT_OK, "boundClaimsType": "glob", "boundClaims": {"repository": "*"}},
         "VP-JWT-003"),
    case("jwt-role-leading-wildcard-in-list", JWT_ROLE,
         {**JWT_OK, "boundClaimsType": "glob", "boundClaims": {"sub": "repo:acme/a:*,*:environment:prod"}}, "VP-JWT-003"),
    case("jwt-role-string-claims-star-is-literal", JWT_ROLE, {**JWT_OK, "boundClaims": {"repository": "acme/*"}}),
    case("jwt-role-empty-claim", JWT_ROLE, {**JWT_OK, "boundClaims": {"repository": ""}}, "VP-JWT-003"),
    case("jwt-role-long-ttl", JWT_ROLE, {**JWT_OK, "tokenMaxTtl": "768h"}, "VP-TTL-002"),
    # other auth roles and tokens
    case("approle-capped", APPROLE_ROLE, {"roleName": "ci", "tokenMaxTtl": 3600.0}),
    case("approle-uncapped", APPROLE_ROLE, {"roleName": "ci"}, "VP-TTL-001"),
    case("token-role-explicit-max", TOKEN_ROLE, {"roleName": "ci", "tokenExplicitMaxTtl": 3600.0}),
    case("token-short", TOKEN, {"policies": ["x"], "ttl": "1h"}),
    case("token-no-ttl", TOKEN, {"policies": ["x"]}, "VP-TTL-001"),
    case("token-month", TOKEN, {"policies": ["x"], "ttl": "768h"}, "VP-TTL-002"),
    # database
    case("db-role-least-privilege", DB_ROLE, DB_ROLE_OK),
    case("db-role-superuser", DB_ROLE,
         {**DB_ROLE_OK, "creationStatements": ['CREATE ROLE "{{name}}" WITH LOGIN SUPERUSER PASSWORD \'{{password}}\';']},
         "VP-DB-001"),
    case("db-role-grant-all", DB_ROLE,
         {**DB_ROLE_OK, "creationStatements": ['CREATE ROLE "{{name}}" LOGIN;', 'GRANT ALL PRIVILEGES ON DATABASE app TO "{{name}}";']},
         "VP-DB-001"),
    case("db-role-createrole", DB_ROLE,
         {**DB_ROLE_OK, "creationStatements": ['CREATE ROLE "{{name}}" WITH LOGIN CREATEROLE;']}, "VP-DB-001"),
    case("db-role-mysql-global", DB_ROLE,
         {**DB_ROLE_OK, "creationStatements": ["CREATE USER '{{name}}'@'%'; GRANT SELECT ON *.* TO '{{name}}'@'%';"]},
         "VP-DB-001"),
    case("db-role-no-revocation", DB_ROLE, {k: v for k, v in DB_ROLE_OK.items() if k != "revocationStatements"}, "VP-DB-002"),
    case("db-role-long-lease", DB_ROLE, {**DB_ROLE_OK, "maxTtl": 30 * 86400.0}, "VP-TTL-002"),
    case("db-role-default-above-max", DB_ROLE, {**DB_ROLE_OK, "defaultTtl": 28800.0}, "VP-TTL-003"),
    case("db-connection-listed-roles", DB_CONNECTION,
         {"name": "postgres", "allowedRoles": ["app-a-readonly"],
          "postgresql": {"connectionUrl": "postgresql://{{username}}:{{password}}@db.internal:5432/app?sslmode=verify-full"}}),
    case("db-connection-any-role", DB_CONNECTION, {"name": "postgres", "allowedRoles": ["*"]}, "VP-DB-003"),
    case("db-connection-sslmode-disable", DB_CONNECTION,
         {"name": "postgres", "allowedRoles": ["a"],
          "postgresql": {"connectionUrl": "postgresql://{{username}}:{{password}}@db.internal:5432/app?sslmode=disable"}},
         "VP-TLS-001"),
    case("db-connection-loopback-without-tls", DB_CONNECTION,
         {"name": "postgres", "allowedRoles": ["a"],
          "postgresql": {"connectionUrl": "postgresql://{{username}}:{{password}}@127.0.0.1:5432/app?sslmode=disable"}}),
    case("db-mount-listed-roles", DB_MOUNT, {"path": "database", "postgresqls": [{"name": "pg", "allowedRoles": ["app-a"]}]}),
    case("db-mount-any-role", DB_MOUNT, {"path": "database", "postgresqls": [{"name": "pg", "allowedRoles": ["*"]}]},
         "VP-DB-003"),
    # AWS
    case("aws-role-scoped", AWS_ROLE, AWS_OK),
    case("aws-role-star-action", AWS_ROLE, _aws({"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::a"}),
         "VP-AWS-001"),
    case("aws-role-service-star", AWS_ROLE, _aws({"Effect": "Allow", "Action": ["s3:*"], "Resource": "arn:aws:s3:::a"}),
         "VP-AWS-001"),
    case("aws-role-not-action", AWS_ROLE, _aws({"Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:aws:s3:::a"}),
         "VP-AWS-001"),
    case("aws-role-admin-managed-policy", AWS_ROLE,
         {**AWS_OK, "policyArns": ["arn:aws:iam::aws:policy/AdministratorAccess"]}, "VP-AWS-001"),
    case("aws-role-star-resource", AWS_ROLE, _aws({"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}),
         "VP-AWS-002"),
    case("aws-role-deny-star-is-fine", AWS_ROLE,
         {**AWS_OK, "policyDocument": json.dumps({"Statement": [AWS_OK_DOC["Statement"][0],
                                                              {"Effect": "Deny", "Action": "*", "Resource": "*"}]})}),
    case("aws-role-iam-star", AWS_ROLE, _aws({"Effect": "Allow", "Action": ["iam:*"], "Resource": "arn:aws:iam::1:role/x"}),
         "VP-AWS-001", "VP-AWS-003"),
    case("aws-role-pass-role", AWS_ROLE,
         _aws({"Effect": "Allow", "Action": ["iam:PassRole"], "Resource": "arn:aws:iam::1:role/x"}), "VP-AWS-003"),
    case("aws-role-iam-read", AWS_ROLE,
         _aws({"Effect": "Allow", "Action": ["iam:GetRole"], "Resource": "arn:aws:iam::1:role/x"})),
    # GCP
    case("gcp-kms-on-crypto-key", "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember",
         {"cryptoKeyId": "projects/p/locations/l/keyRings/r/cryptoKeys/unseal",
          "role": "roles/cloudkms.cryptoKeyEncrypterDecrypter", "member": "serviceAccount:vault@p.iam.gserviceaccount.com"}),
    case("gcp-custom-kms-role-on-crypto-key", "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember",
         {"cryptoKeyId": "k", "role": "projects/p/roles/vaultKmsUnseal", "member": "serviceAccount:v@p"}),
    case("gcp-kms-on-project", "gcp:projects/iAMMember:IAMMember",
         {"project": "p", "role": "roles/cloudkms.cryptoKeyEncrypterDecrypter", "member": "serviceAccount:v@p"},
         "VP-GCP-002"),
    case("gcp-custom-kms-role-on-project", "gcp:projects/iAMBinding:IAMBinding",
         {"project": "p", "role": "projects/p/roles/vaultKmsUnseal", "members": ["serviceAccount:v@p"]}, "VP-GCP-002"),
    case("gcp-kms-on-key-ring", "gcp:kms/keyRingIAMMember:KeyRingIAMMember",
         {"keyRingId": "r", "role": "roles/cloudkms.cryptoKeyEncrypterDecrypter", "member": "serviceAccount:v@p"},
         "VP-GCP-002"),
    case("gcp-project-owner", "gcp:projects/iAMMember:IAMMember",
         {"project": "p", "role": "roles/owner", "member": "user:a@example.com"}, "VP-GCP-001"),
    case("gcp-editor-in-policy-document", "gcp:projects/iAMPolicy:IAMPolicy",
         {"project": "p", "policyData": json.dumps({"bindings": [{"role": "roles/editor", "members": ["group:x"]}]})},
         "VP-GCP-001"),
    case("gcp-storage-grant", "gcp:storage/bucketIAMMember:BucketIAMMember",
         {"bucket": "snapshots", "role": "roles/storage.objectCreator", "member": "serviceAccount:v@p"}),
    case("gcp-service-account-key", "gcp:serviceaccount/key:Key", {"serviceAccountId": "vault"}, "VP-GCP-003"),
    case("gcp-service-account-without-key", SERVICE_ACCOUNT, {"accountId": "vault", "displayName": "Vault server"}),
    # Kubernetes workloads
    case("statefulset-hardened", "kubernetes:apps/v1:StatefulSet", statefulset(POD_SPEC_OK)),
    case("statefulset-privileged", "kubernetes:apps/v1:StatefulSet",
         statefulset(_pod(container={"securityContext": {"privileged": True}})), "VP-POD-001"),
    case("pod-host-network", "kubernetes:core/v1:Pod", {"spec": _pod(hostNetwork=True)}, "VP-POD-001"),
    case("deployment-sys-admin", "kubernetes:apps/v1:Deployment",
         statefulset(_pod(container={"securityContext": {"capabilities": {"add": ["SYS_ADMIN"]}}})), "VP-POD-001"),
    case("statefulset-root-user", "kubernetes:apps/v1:StatefulSet",
         statefulset(_pod(container={"securityContext": {"runAsUser": 0}})), "VP-POD-002"),
    case("pod-no-user-settings", "kubernetes:core/v1:Pod", {"spec": _pod(securityContext={})}, "VP-POD-002"),
    case("cronjob-hostpath", "kubernetes:batch/v1:CronJob",
         cronjob(_pod(volumes=[{"name": "h", "hostPath": {"path": "/var/run"}}])), "VP-POD-003"),
    case("cronjob-no-memory-limit", "kubernetes:batch/v1:CronJob",
         cronjob(_pod(container={"resources": {"requests": {"cpu": "100m"}}})), "VP-POD-004"),
    case("cronjob-skip-verify-env", "kubernetes:batch/v1:CronJob",
         cronjob(_pod(container={"env": [{"name": "VAULT_SKIP_VERIFY", "value": "true"}]})), "VP-TLS-001"),
    case("cronjob-plain-http-addr", "kubernetes:batch/v1:CronJob",
         cronjob(_pod(container={"env": [{"name": "VAULT_ADDR", "value": "http://vault.vault.svc:8200"}]})), "VP-TLS-001"),
    case("job-tls-skip-verify-flag", "kubernetes:batch/v1:Job",
         statefulset(_pod(container={"args": ["vault", "operator", "raft", "snapshot", "save", "-tls-skip-verify", "/s"]})),
         "VP-TLS-001"),
    # TLS in config and provider
    case("configmap-server-hcl-tls", CONFIG_MAP, {"data": {"server.hcl": SERVER_HCL_OK}}),
    case("configmap-tls-disable", CONFIG_MAP, {"data": {"server.hcl": 'listener "tcp" {\n  tls_disable = 1\n}\n'}},
         "VP-TLS-001"),
    case("configmap-tls-disable-commented-out", CONFIG_MAP,
         {"data": {"server.hcl": SERVER_HCL_OK + "# tls_disable = true\n"}}),
    case("configmap-retry-join-skip-verify", CONFIG_MAP,
         {"data": {"server.hcl": 'retry_join {\n  leader_api_addr = "https://v:8200"\n  tls_skip_verify = true\n}\n'}},
         "VP-TLS-001"),
    case("configmap-backup-script-insecure", CONFIG_MAP,
         {"data": {"backup.sh": "export VAULT_SKIP_VERIFY=true\nvault operator raft snapshot save /tmp/s\n"}}, "VP-TLS-001"),
    case("configmap-old-tls", CONFIG_MAP, {"data": {"server.hcl": 'listener "tcp" {\n  tls_min_version = "tls11"\n}\n'}},
         "VP-TLS-002"),
    case("secret-base64-tls-disable", SECRET, {"data": {"server.hcl": "bGlzdGVuZXIgInRjcCIgeyB0bHNfZGlzYWJsZSA9IHRydWUgfQ=="}},
         "VP-TLS-001"),
    case("provider-verified", PROVIDER, {"address": "https://vault.example.com:8200", "skipTlsVerify": "false"}),
    case("provider-skip-verify", PROVIDER, {"address": "https://vault.example.com:8200", "skipTlsVerify": "true"},
         "VP-TLS-001"),
    case("provider-plain-http", PROVIDER, {"address": "http://vault.example.com:8200"}, "VP-TLS-001"),
    # Vault policies as resources
    case("policy-resource-own-scope", POLICY,
         {"name": "kv-own-read", "policy": 'path "kv/data/apps/{{identity.entity.metadata.service}}/*" { capabilities = ["read"] }'}),
    case("policy-resource-cross-service", POLICY,
         {"name": "svc-reporting", "policy": 'path "kv/data/apps/billing/x" { capabilities = ["read"] }'}, "VP-ACL-014"),
    case("policy-resource-catch-all", POLICY, {"name": "bad", "policy": 'path "*" { capabilities = ["read"] }'}, "VP-ACL-001"),
    case("policy-resource-unparsable", POLICY, {"name": "bad", "policy": 'path "a" { capabilities = ["root"] }'},
         "VP-SYNTAX-001"),
    # types without rules
    case("unknown-type", "vault:index/mount:Mount", {"path": "kv", "type": "kv-v2"}),
]  # fmt: skip
