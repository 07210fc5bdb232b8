"""Legal documents (法律文书): templates the legal office edits, numbering per department and year, PDF
rendering with Chinese text, issuing (stored, hashed, never changed; corrections cite what they correct), and the
step property ``requiresDocument``. See ``docs/documents.md``."""
