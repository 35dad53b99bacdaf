"""The field app: its command line, and the Qt screens for crews and supervisors."""
