"""Settings: where things are (paths and every PERFKIT_* variable), safe YAML, authority codes and settings."""
