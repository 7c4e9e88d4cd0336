"""Every role has its own jobs page (merged into app.security.roles.ROLE_CATALOGUE; Admin has everything).

What a user sees there is decided per row (app.jobs.services.visible_jobs): only the jobs they started, within
their current scope. Starting the bill run as a job needs WajibBill.can_generate (the Pengurus), checked in the
view and again in the service.
"""
READ = [["^Job$", "^can_(list|download)$"], ["^Pekerjaan$", "^menu_access$"]]

GRANTS = {role: READ for role in ("Sudin", "Camat", "Lurah", "Pengurus", "Sekretaris")}
