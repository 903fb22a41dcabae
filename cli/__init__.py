"""The `bianmin` command (cli/main.py) and the composition root (cli/compose.py). It imports every
service; nothing in libs/ or services/ imports it."""
