"""The Vault Agent Injector (vault-k8s, as hashicorp/vault-helm deploys it) and what a pod needs to use it.

Pure renderers, one per Kubernetes object (`layout`, `tls`, `rbac`, `deployment`, `service`, `pdb`,
`webhook`, `networkpolicy`, `ca_bundle`), the pod annotations per catalog service (`annotations`) and the
agent configuration vault-k8s builds from them (`agent_config`); `component.AgentInjector` wires them.
"""
