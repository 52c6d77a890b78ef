# This policy intentionally grants nothing: it exists to be attached while a service is retired.
