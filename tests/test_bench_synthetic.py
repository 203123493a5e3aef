"""The benchmarks' synthetic register: copies of the examples, written through the API."""

from __future__ import annotations

from bench.synthetic import fill_register, scattered
from geo.register.examples import load_example_data
from geo.register.store import Store


def test_scattered_copies_have_the_size_asked_and_stay_near_their_originals(reference, tmp_path):
    with Store(tmp_path / "r.sqlite", reference) as store:
        load_example_data(store)
        partners = store.organisations()
    copies = scattered(partners, 100)
    assert len(copies) == 100
    assert copies["naam"].is_unique  # "<name> (<copy>)"
    originals = partners.set_index("naam")
    placed = copies[copies["lat"].notna()]
    source = placed["naam"].str.replace(r" \(\d+\)$", "", regex=True)
    assert (abs(placed["lat"].to_numpy() - originals.loc[source, "lat"].to_numpy())
            < 0.2).all()
    # The same seed, the same register in every run.
    assert scattered(partners, 100)[["lat", "lon"]].equals(copies[["lat", "lon"]])


def test_fill_register_writes_copies_the_app_reads_as_partners(reference, tmp_path):
    with Store(tmp_path / "r.sqlite", reference) as store:
        load_example_data(store)
        examples = store.organisation_count()
        assert fill_register(store, 120) == 120 - examples
        assert fill_register(store, 120) == 0  # already that large
        orgs = store.organisations(include_personal=True)
    assert len(orgs) == 120
    copies = orgs[~orgs["voorbeeld"]]
    assert len(copies) == 120 - examples
    assert copies["importsleutel"].is_unique
    # Placed through the register: the area follows from the new coordinates.
    placed = copies[copies["lat"].notna()]
    assert len(placed) > 0 and placed["gemeentecode"].str.match(r"^GM\d{4}$").mean() > 0.8
    assert copies["email"].notna().all()  # staff pages see contact data, as for the examples
    assert copies["ambassadeur_voor"].isna().all()
