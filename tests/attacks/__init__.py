"""The audit of issue 9, kept as tests: one module per finding, one test per attack.

1. Template injection from a name into a map ............ test_template_injection.py
2. Zip and XML bombs, XXE, malformed files ............... test_hostile_files.py
3. Live spreadsheet formulas in every writer ............. test_formulas.py
4. Markdown injection on a public page ................... test_markdown.py
5. Roles (ambassadors board-only) and password spraying .. test_roles.py
6. Lost or leaked data (duplicates, overwrites, erasure) . test_register_integrity.py
7. Geocoder faults (drip, huge, wrong shape) ............. test_geocoder_faults.py
8. Tracebacks instead of Dutch messages (paths, disk) .... test_output_failures.py
9. A flaky browser suite ................................. tests/e2e (exact waits)

test_hostile_text.py walks every text field through every map builder, page, role and
command, so a new field, page, builder or command is attacked automatically.
"""
