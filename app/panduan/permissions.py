"""Every role reads the guide (merged into app.security.roles.ROLE_CATALOGUE; Admin gets it from `kkmp init`)."""

READ = [["^Panduan$", "^can_read$"], ["^Panduan$", "^menu_access$"]]

GRANTS = {role: READ for role in ("Sudin", "Camat", "Lurah", "Pengurus", "Sekretaris")}
