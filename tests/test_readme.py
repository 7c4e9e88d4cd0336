"""The README's permission matrix is the one the code enforces."""
import os
import re

from app.security.matrix import permission_matrix_markdown


def test_readme_shows_the_current_permission_matrix(app):
    with app.app_context():
        expected = permission_matrix_markdown(app.appbuilder).strip()
    readme = open(os.path.join(os.path.dirname(__file__), "..", "README.md"), encoding="utf-8").read()
    found = re.search(r"<!-- permission-matrix:start -->\n(.*?)\n<!-- permission-matrix:end -->", readme, re.S)
    assert found and found.group(1).strip() == expected, "run `flask kkmp permission-matrix` and paste it"
