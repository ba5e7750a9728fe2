"""The list pages and reports, asked with random and hostile query strings.

Any parameters, known or not, one value or several: the page answers (200, or 400 for a
report's refused choices, 404 for a page or library that is not there), never a 500, and
markup in the query is never on the page as markup.
"""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inventory.filters import AssetFilterSet
from procurement.filters import CaseFilterSet
from reports.forms import ReportForm
from tests.fuzz.strategies import FORM_EXAMPLES, assert_escaped, hostile_text

pytestmark = pytest.mark.django_db

PAGING = ["page", "per_page", "ordering", "format"]
PAGES = {
    "/inventory/assets/": [*AssetFilterSet.base_filters, *PAGING],
    "/procurement/cases/": [*CaseFilterSet.base_filters, *PAGING],
    "/reports/it-status/": [*ReportForm.base_fields, *PAGING],
    "/reports/strategist/": [*ReportForm.base_fields, *PAGING],
    "/inventory/assets/export/": [*AssetFilterSet.base_filters, *PAGING],
}


def query(names):
    value = st.one_of(hostile_text, st.lists(hostile_text, min_size=1, max_size=3))
    key = st.one_of(st.sampled_from(names), hostile_text)
    return st.dictionaries(key, value, max_size=6)


@pytest.fixture
def readers(users, client_for, hb_asset, no_asset):
    return {role: client_for(user) for role, user in users.items()}


@settings(max_examples=FORM_EXAMPLES)
@given(data=st.data())
def test_lists_and_reports_take_any_query(readers, data):
    url = data.draw(st.sampled_from(sorted(PAGES)), label="page")
    role = data.draw(st.sampled_from(sorted(readers)), label="role")
    params = data.draw(query(PAGES[url]), label="query")
    response = readers[role].get(url, params)
    assert response.status_code in (200, 400, 403, 404), response.status_code
    if response["Content-Type"].startswith("text/html"):
        assert_escaped(response.content.decode(), [*params, *params.values()])
