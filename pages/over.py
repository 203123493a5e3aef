"""Over: what Infrakaart is, sources and licences, method and assumptions, privacy."""

from __future__ import annotations

import streamlit as st

from geo.views.over import about_view
from pages._shared import (
    ATTRIBUTION,
    current_division,
    get_gazetteer,
    get_reference,
    get_store,
    through_router,
)

through_router()

division = current_division()
view = about_view(division_name=division.name, reference=get_reference(),
                  gazetteer=get_gazetteer(), store=get_store(), division=division)

st.title("Over Infrakaart")
st.markdown(
    """
Infrakaart is de kaart van **Infra Bindt**, het regionale netwerk in Noord-Holland waarin
overheid, onderwijs en infrabedrijven (wegen, water, grondwerk) samenwerken zodat genoeg
jongeren en zij-instromers kiezen voor een infra-opleiding en -baan. De kaart laat zien waar
partners en donateurs zitten, waar de middelbare scholen en de twee mbo-infra-opleidingen
(Heerhugowaard en Amsterdam) liggen, en waar partners schaars zijn of de reis naar het mbo lang
is — in de vijf arbeidsmarktregio's, hun subregio's en 46 gemeenten.
"""
)

st.header("Bronnen en licenties")
st.markdown(
    f"""
* **Gemeentegrenzen 2024** — CBS Gebiedsindelingen via PDOK (CC BY 4.0). Voor Noord-Holland
  ongewijzigd tot en met 2026.
* **Arbeidsmarktregio's** — CBS "Gebieden in Nederland", indeling 2026 (CC BY 4.0). Het
  werkgebied telt 46 gemeenten: 44 in Noord-Holland plus **De Ronde Venen** (Groot Amsterdam) en
  **Eemnes** (Gooi en Vechtstreek), beide in de provincie Utrecht.
* **Subregio's** — een *voorstel* van tien subregio's; in gebruik: **{view.division}**.
  Een andere indeling kan in de zijbalk van de kaart worden geladen.
* **Postcodegebieden en inwoners** — CBS Kerncijfers per postcode 2020 en StatLine 83502NED
  (inwoners op 1 januari 2021). © CBS, © ESRI Nederland (postcodegebieden).
* **Middelbare scholen** — DUO open onderwijsdata "Alle vestigingen VO", begin 2026 (CC0).
* **Mbo-infra-opleidingen** — Infra Bindt meerjarenstrategie 2025–2030: alleen in
  Heerhugowaard en Amsterdam. Alleen de plaats is bekend.
* **Treinstations** — stationslijst van Rijden de Treinen (CC BY 4.0); lijnen, rijtijden en de
  veerdienst naar Texel zijn een vereenvoudigde, gedocumenteerde tabel (zie
  `data/spoor/README.md`).
* **Achtergrondkaart** — BRT-Achtergrondkaart van PDOK (Kaartgegevens © Kadaster), met
  OpenStreetMap (© OpenStreetMap-bijdragers) als alternatief.
* **Adressen zoeken** — PDOK Locatieserver (de landelijke geocoder). Zonder verbinding gebruikt
  de app de meegeleverde postcode- en plaatsgegevens.

{ATTRIBUTION}

De broncode van Infrakaart is open source onder de **EUPL-1.2**.
"""
)

st.header("Werkwijze")
st.subheader("Plaatsen en nauwkeurigheid")
st.markdown(
    "Elke locatie zegt hoe nauwkeurig ze is:\n\n"
    + view.precision
    + "\n\nEen punt krijgt gemeente, subregio en arbeidsmarktregio door een ruimtelijke "
    "koppeling in RD New (EPSG:28992) met de CBS-gemeentegrenzen; koppelen gebeurt altijd op "
    "CBS-code, nooit op naam. Punten buiten de 46 gemeenten heten *buiten werkgebied*."
)
st.subheader("Reisafstand en reistijd (schatting)")
st.markdown(view.travel)
with st.expander("Hoe goed klopt de schatting? Referentiereizen"):
    st.caption(view.journeys_caption)
    st.dataframe(view.journeys, hide_index=True, width="stretch")
st.subheader("Witte-vlekscore")
st.markdown(view.score)
if view.example:
    with st.expander("Rekenvoorbeeld met de huidige gegevens", expanded=True):
        st.markdown(view.example)
st.markdown(view.partners)
st.markdown(view.population)

st.header("Privacy")
st.markdown(
    """
* **Wat we bewaren:** van organisaties naam, soort, adres, donateurschap, website en notities;
  van contactpersonen naam, e-mailadres en telefoonnummer. Die laatste drie zijn
  persoonsgegevens (AVG).
* **Wie wat ziet:** persoonsgegevens en de interne notities zien alleen ingelogde medewerkers
  (operationeel team en bestuur). Publieke pagina's, publieke exports en de publieke kaart
  worden gemaakt uit een gegevensweergave waarin die velden helemaal niet voorkomen — ze zijn
  niet alleen verborgen.
* **Wijzigingen** worden vastgelegd met wie, wanneer en wat (historie); alleen medewerkers zien
  die historie.
* **Wat je browser bij derden ophaalt:** de kaarttegels van PDOK (Kadaster) en, als je die laag
  kiest, van OpenStreetMap. Daarbij zien die diensten je IP-adres en welk kaartgebied je bekijkt.
  Leaflet zelf komt van deze server.
* **Adressen zoeken** gaat via PDOK Locatieserver; daarbij worden alleen adressen van
  organisaties verstuurd, nooit namen van contactpersonen, e-mailadressen of telefoonnummers.
  Antwoorden worden lokaal bewaard zodat hetzelfde adres niet twee keer wordt opgevraagd.
* Er worden geen cookies voor analyse of reclame gebruikt.
"""
)
