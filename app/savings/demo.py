"""Demo rows for this domain, called by app.demo.seed_demo() after cooperatives and members exist."""


def seed(session, coops_by_code):
    """:param coops_by_code: {kelurahan code: Cooperative} of the demo cooperatives."""
