"""This domain's rights per role, merged into app.security.roles.ROLE_CATALOGUE.

Format: {"RoleName": [["^ViewOrApiPermissionName$", "^can_(list|show)$"], ...]}; anchor every regex.
"""

GRANTS = {}
