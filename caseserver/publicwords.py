"""The words the public reads, in Finnish, Swedish and English.

Reporter messages are Jinja templates a city can edit (caseserver/templates/reporter/);
the short words they and the status page share live here: statuses, stages, outcomes,
service names, months, and the texts of the public pages.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

LANGUAGES: tuple[str, ...] = ("fi", "sv", "en")

STATUS: dict[str, dict[str, str]] = {
    "en": {
        "new": "Received, waiting to be scheduled",
        "assigned": "Scheduled: a crew will handle it",
        "en_route": "A crew is on the way",
        "in_progress": "Work in progress",
        "on_hold": "On hold",
        "resolved": "Resolved",
        "closed": "Closed",
        "cancelled": "Cancelled",
    },
    "fi": {
        "new": "Vastaanotettu, odottaa aikataulutusta",
        "assigned": "Aikataulutettu: työryhmä hoitaa asian",
        "en_route": "Työryhmä on matkalla",
        "in_progress": "Työ käynnissä",
        "on_hold": "Odottaa",
        "resolved": "Korjattu",
        "closed": "Suljettu",
        "cancelled": "Peruttu",
    },
    "sv": {
        "new": "Mottagen, väntar på schemaläggning",
        "assigned": "Schemalagd: ett arbetslag tar hand om den",
        "en_route": "Ett arbetslag är på väg",
        "in_progress": "Arbetet pågår",
        "on_hold": "Väntar",
        "resolved": "Åtgärdad",
        "closed": "Stängd",
        "cancelled": "Annullerad",
    },
}

RESOLUTION: dict[str, dict[str, str]] = {
    "en": {
        "fixed": "Fixed.",
        "temporary_fix": "Made safe with a temporary repair; a permanent repair will follow.",
        "not_found": "Our crew could not find the problem at this location.",
        "duplicate": "This was already reported and is handled under another request.",
        "referred": "Referred to the party responsible for it.",
        "no_action_needed": "Inspected: no action was needed.",
        "cancelled": "The request was cancelled.",
    },
    "fi": {
        "fixed": "Korjattu.",
        "temporary_fix": "Tehty turvalliseksi väliaikaisella korjauksella; pysyvä korjaus tehdään myöhemmin.",
        "not_found": "Työryhmämme ei löytänyt ongelmaa tästä paikasta.",
        "duplicate": "Asiasta oli jo ilmoitettu, ja se hoidetaan toisen ilmoituksen yhteydessä.",
        "referred": "Siirretty asiasta vastaavalle taholle.",
        "no_action_needed": "Tarkastettu: toimenpiteitä ei tarvittu.",
        "cancelled": "Ilmoitus peruttiin.",
    },
    "sv": {
        "fixed": "Åtgärdad.",
        "temporary_fix": "Säkrad med en tillfällig reparation; en permanent reparation följer.",
        "not_found": "Vårt arbetslag kunde inte hitta problemet på platsen.",
        "duplicate": "Detta var redan anmält och hanteras under en annan anmälan.",
        "referred": "Hänvisad till den som ansvarar för det.",
        "no_action_needed": "Inspekterad: inga åtgärder behövdes.",
        "cancelled": "Anmälan annullerades.",
    },
}

SERVICE: dict[str, dict[str, str]] = {
    "fi": {
        "pothole": "Kuoppa tiessä",
        "sidewalk": "Vaurioitunut jalkakäytävä tai reunakivi",
        "streetlight": "Katuvalo ei pala",
        "traffic_signal": "Liikennevalovika",
        "sign_damage": "Vaurioitunut tai puuttuva liikennemerkki",
        "graffiti": "Töhry",
        "illegal_dumping": "Luvaton roskaaminen",
        "overflowing_bin": "Täysi roska-astia",
        "fallen_tree": "Kaatunut puu tai oksa",
        "park_damage": "Puiston kalusteen vaurio",
        "water_leak": "Vesivuoto kadulla",
        "blocked_drain": "Tukkeutunut sadevesikaivo",
        "snow_ice": "Lunta tai jäätä kävelytiellä",
        "abandoned_bike": "Hylätty polkupyörä",
    },
    "sv": {
        "pothole": "Gropar i vägen",
        "sidewalk": "Skadad trottoar eller kantsten",
        "streetlight": "Gatlykta som inte lyser",
        "traffic_signal": "Fel på trafiksignal",
        "sign_damage": "Skadad eller saknad skylt",
        "graffiti": "Klotter",
        "illegal_dumping": "Olaglig dumpning",
        "overflowing_bin": "Överfull papperskorg",
        "fallen_tree": "Nedfallet träd eller gren",
        "park_damage": "Skada på parkmöbler",
        "water_leak": "Vattenläcka i gatan",
        "blocked_drain": "Igensatt dagvattenbrunn",
        "snow_ice": "Snö eller is på gångväg",
        "abandoned_bike": "Övergiven cykel",
    },
}

MONTHS: dict[str, tuple[str, ...]] = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "fi": (
        "tammi",
        "helmi",
        "maalis",
        "huhti",
        "touko",
        "kesä",
        "heinä",
        "elo",
        "syys",
        "loka",
        "marras",
        "joulu",
    ),
    "sv": ("jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"),
}

#: Texts of the public pages (status page, "not fixed?", satisfaction, unsubscribe).
PAGE: dict[str, dict[str, str]] = {
    "en": {
        "reported": "Reported",
        "dates": "Dates",
        "last_update": "Last update",
        "expected": "Expected by",
        "outcome": "Outcome",
        "photos": "Photos",
        "before": "Before",
        "after": "After",
        "what_reported": "What was reported",
        "history": "History",
        "request": "Request",
        "merged": "Your report was merged with another report of the same problem: this page follows it.",
        "merged_link": "Open the other report",
        "reopened": "Reopened: the reporter says the problem is still there.",
        "not_fixed_question": "Is the problem still there?",
        "not_fixed_button": "Not fixed",
        "fixed_button": "Fixed, thanks",
        "not_fixed_hint": "Use the link in the message we sent you to tell us it is not fixed.",
        "not_fixed_title": "The problem is still there",
        "not_fixed_intro": "Tell us what is still wrong. A photo helps the crew (optional).",
        "comment": "What is still wrong?",
        "photo": "Photo (JPEG, optional)",
        "send": "Send",
        "not_fixed_done": "Thank you. We have reopened your report and a supervisor will look at it.",
        "follow_up_done": "Thank you. We have logged a new report, linked to the old one.",
        "fixed_title": "Is it fixed?",
        "fixed_confirm": "Tap the button to tell us the problem is fixed.",
        "fixed_done": "Thank you for telling us.",
        "unsubscribe_title": "Stop messages about this report",
        "unsubscribe_confirm": "Tap the button and we send no more messages about this report.",
        "unsubscribe_button": "Stop messages",
        "unsubscribe_done": "You will get no more messages about this report.",
        "link_expired": "This link has expired.",
        "link_used": "This link has already been used.",
        "link_bad": "This link is not valid. Please use the link from the message exactly as it is.",
        "photo_bad": "The photo could not be used: {reason}. Nothing was changed; try another photo.",
        "comment_long": "The text is too long (at most {limit} characters). Nothing was changed.",
        "not_found": "Request not found",
    },
    "fi": {
        "reported": "Ilmoitettu",
        "dates": "Päivämäärät",
        "last_update": "Viimeksi päivitetty",
        "expected": "Arvioitu valmistuminen",
        "outcome": "Lopputulos",
        "photos": "Kuvat",
        "before": "Ennen",
        "after": "Jälkeen",
        "what_reported": "Mitä ilmoitettiin",
        "history": "Vaiheet",
        "request": "Ilmoitus",
        "merged": "Ilmoituksesi yhdistettiin toiseen saman ongelman ilmoitukseen: tämä sivu seuraa sitä.",
        "merged_link": "Avaa toinen ilmoitus",
        "reopened": "Avattu uudelleen: ilmoittajan mukaan ongelma on yhä olemassa.",
        "not_fixed_question": "Onko ongelma yhä olemassa?",
        "not_fixed_button": "Ei korjattu",
        "fixed_button": "Korjattu, kiitos",
        "not_fixed_hint": "Voit kertoa, ettei ongelmaa ole korjattu, lähettämämme viestin linkistä.",
        "not_fixed_title": "Ongelma on yhä olemassa",
        "not_fixed_intro": "Kerro, mikä on yhä vialla. Kuva auttaa työryhmää (vapaaehtoinen).",
        "comment": "Mikä on yhä vialla?",
        "photo": "Kuva (JPEG, vapaaehtoinen)",
        "send": "Lähetä",
        "not_fixed_done": "Kiitos. Avasimme ilmoituksesi uudelleen, ja työnjohtaja käsittelee sen.",
        "follow_up_done": "Kiitos. Kirjasimme uuden ilmoituksen ja linkitimme sen vanhaan.",
        "fixed_title": "Onko ongelma korjattu?",
        "fixed_confirm": "Kerro painikkeella, että ongelma on korjattu.",
        "fixed_done": "Kiitos tiedosta.",
        "unsubscribe_title": "Lopeta tämän ilmoituksen viestit",
        "unsubscribe_confirm": "Painikkeesta emme lähetä enää viestejä tästä ilmoituksesta.",
        "unsubscribe_button": "Lopeta viestit",
        "unsubscribe_done": "Et saa enää viestejä tästä ilmoituksesta.",
        "link_expired": "Tämä linkki on vanhentunut.",
        "link_used": "Tätä linkkiä on jo käytetty.",
        "link_bad": "Linkki ei kelpaa. Käytä viestin linkkiä täsmälleen sellaisenaan.",
        "photo_bad": "Kuvaa ei voitu käyttää: {reason}. Mitään ei muutettu; kokeile toista kuvaa.",
        "comment_long": "Teksti on liian pitkä (enintään {limit} merkkiä). Mitään ei muutettu.",
        "not_found": "Ilmoitusta ei löytynyt",
    },
    "sv": {
        "reported": "Anmäld",
        "dates": "Datum",
        "last_update": "Senast uppdaterad",
        "expected": "Beräknas klar",
        "outcome": "Resultat",
        "photos": "Foton",
        "before": "Före",
        "after": "Efter",
        "what_reported": "Vad som anmäldes",
        "history": "Skeden",
        "request": "Anmälan",
        "merged": "Din anmälan slogs ihop med en annan anmälan av samma problem: sidan följer den.",
        "merged_link": "Öppna den andra anmälan",
        "reopened": "Öppnad igen: anmälaren säger att problemet finns kvar.",
        "not_fixed_question": "Finns problemet kvar?",
        "not_fixed_button": "Inte åtgärdat",
        "fixed_button": "Åtgärdat, tack",
        "not_fixed_hint": "Använd länken i meddelandet vi skickade för att säga att det inte är åtgärdat.",
        "not_fixed_title": "Problemet finns kvar",
        "not_fixed_intro": "Berätta vad som fortfarande är fel. Ett foto hjälper arbetslaget (frivilligt).",
        "comment": "Vad är fortfarande fel?",
        "photo": "Foto (JPEG, frivilligt)",
        "send": "Skicka",
        "not_fixed_done": "Tack. Vi har öppnat din anmälan igen och en arbetsledare tittar på den.",
        "follow_up_done": "Tack. Vi har registrerat en ny anmälan, länkad till den gamla.",
        "fixed_title": "Är det åtgärdat?",
        "fixed_confirm": "Tryck på knappen för att säga att problemet är åtgärdat.",
        "fixed_done": "Tack för att du berättade.",
        "unsubscribe_title": "Inga fler meddelanden om anmälan",
        "unsubscribe_confirm": "Tryck på knappen så skickar vi inga fler meddelanden om anmälan.",
        "unsubscribe_button": "Stoppa meddelanden",
        "unsubscribe_done": "Du får inga fler meddelanden om denna anmälan.",
        "link_expired": "Länken har gått ut.",
        "link_used": "Länken har redan använts.",
        "link_bad": "Länken är inte giltig. Använd länken i meddelandet precis som den är.",
        "photo_bad": "Fotot kunde inte användas: {reason}. Inget ändrades; prova ett annat foto.",
        "comment_long": "Texten är för lång (högst {limit} tecken). Inget ändrades.",
        "not_found": "Anmälan hittades inte",
    },
}


def our_language(wanted: str | None) -> str | None:
    """The first of ours among a locale ('fi_FI', 'sv-SE') or an Accept-Language header; None: none."""
    for part in (wanted or "").split(","):
        code = part.split(";")[0].strip().lower().replace("_", "-").split("-")[0]
        if code in LANGUAGES:
            return code
    return None


def language(wanted: str | None, default: str = "en") -> str:
    """Like our_language, else `default` (else English)."""
    return our_language(wanted) or (default if default in LANGUAGES else "en")


def status_words(status: str, lang: str = "en") -> str:
    return STATUS[lang].get(status) or STATUS["en"].get(status) or status.replace("_", " ").capitalize()


def resolution_words(code: str, lang: str = "en") -> str:
    return RESOLUTION[lang].get(code) or RESOLUTION["en"].get(code) or code.replace("_", " ")


def service_words(code: str, english: str, lang: str = "en") -> str:
    return SERVICE.get(lang, {}).get(code, english)


def local_time(at: datetime | None, tz: ZoneInfo, lang: str = "en") -> str:
    """A date and time as a person reads it: '24 Nov 2026, 14:05', '24. marras 2026 klo 14.05'."""
    if at is None:
        return ""
    local = at.astimezone(tz)
    month = MONTHS[lang][local.month - 1]
    if lang == "fi":
        return f"{local.day}. {month} {local.year} klo {local:%H.%M}"
    if lang == "sv":
        return f"{local.day} {month} {local.year} kl. {local:%H.%M}"
    return f"{local.day} {month} {local.year}, {local:%H:%M}"
