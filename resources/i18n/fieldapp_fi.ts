<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fi_FI">
<context>
    <name></name>
    <message>
        <source>Please sign in again: {reason}</source>
        <translation>Kirjaudu uudelleen: {reason}</translation>
    </message>
    <message>
        <source>No connection to the case server. Your work is kept and will be sent later.</source>
        <translation>Ei yhteyttä palvelimeen. Työsi on tallessa ja lähetetään myöhemmin.</translation>
    </message>
    <message>
        <source>Something went wrong: {error}. Your work is kept.</source>
        <translation>Jokin meni vikaan: {error}. Työsi on tallessa.</translation>
    </message>
    <message>
        <source>Field app</source>
        <translation>Kenttäsovellus</translation>
    </message>
    <message>
        <source>Error message</source>
        <translation>Virheilmoitus</translation>
    </message>
    <message>
        <source>System language</source>
        <extracomment>The languages the app speaks; English is built in (the source strings). What a user may choose: the system&apos;s language or one of ours. Each language&apos;s name in itself (never translated: a user looks for their own). The locale of a language when the system&apos;s own locale speaks another (Helsinki&apos;s first).</extracomment>
        <translation>Laitteen kieli</translation>
    </message>
    <message>
        <source>Online</source>
        <extracomment>Strings that screens pass to ``tr()`` through a variable (a table of labels), written out here so lupdate sees them. Screens should prefer `fieldapp.labels` or literal ``tr(&quot;...&quot;)`` calls; this list is for the few tables that remain.</extracomment>
        <translation>Yhteys toimii</translation>
    </message>
    <message>
        <source>Syncing…</source>
        <translation>Synkronoidaan…</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Ei yhteyttä</translation>
    </message>
    <message>
        <source>Sync problem</source>
        <translation>Synkronointiongelma</translation>
    </message>
    <message>
        <source>New tickets</source>
        <extracomment>Where maps find tiles: the profile&apos;s downloads first, then the shipped basemap.</extracomment>
        <translation>Uudet tehtävät</translation>
    </message>
    <message>
        <source>My work</source>
        <translation>Omat työt</translation>
    </message>
    <message>
        <source>Offline map…</source>
        <translation>Kartta laitteelle…</translation>
    </message>
    <message>
        <source>Download map for my work</source>
        <extracomment>Cache files being refreshed in the background (one refresh at a time each). New tiles are in the cache (the maps should look again).</extracomment>
        <translation>Lataa kartta omien töiden alueelta</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Asetukset</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>Kirjaudu ulos</translation>
    </message>
    <message>
        <source>{pending} change(s) have not reached the server yet and {rejected} were refused. Signing out now deletes them from this device for good.</source>
        <translation>{pending} muutosta ei ole vielä palvelimella ja {rejected} hylättiin. Jos kirjaudut ulos nyt, ne poistuvat tältä laitteelta lopullisesti.</translation>
    </message>
    <message>
        <source>Sign out and discard them</source>
        <translation>Kirjaudu ulos ja hylkää ne</translation>
    </message>
    <message>
        <source>Stay signed in</source>
        <translation>Pysy kirjautuneena</translation>
    </message>
    <message>
        <source>{n} new ticket(s) assigned since you last looked</source>
        <translation>{n} uutta tehtävää annettu sinulle viime katsomisen jälkeen</translation>
    </message>
    <message>
        <source>nothing</source>
        <translation>ei mitään</translation>
    </message>
    <message>
        <source>crew {crew}</source>
        <extracomment>Item data roles of a conflict row.</extracomment>
        <translation>työryhmä {crew}</translation>
    </message>
    <message>
        <source>the unassigned queue</source>
        <translation>jakamattomien jono</translation>
    </message>
    <message>
        <source>The ticket: {service} at {address}, {status}, with {holder}.</source>
        <translation>Tehtävä: {service}, {address}, {status}, vastuussa {holder}.</translation>
    </message>
    <message>
        <source>You</source>
        <translation>Sinä</translation>
    </message>
    <message>
        <source>{who} set the {field} to “{mine}”.</source>
        <translation>{who} muutti kentän {field} arvoksi ”{mine}”.</translation>
    </message>
    <message>
        <source>Meanwhile it became “{theirs}”: {reason}.</source>
        <translation>Sillä välin se muuttui arvoksi ”{theirs}”: {reason}.</translation>
    </message>
    <message>
        <source>Now standing: “{standing}”.</source>
        <translation>Nyt voimassa: ”{standing}”.</translation>
    </message>
    <message>
        <source>Keeping “{mine}” is not yours to do: {why}. Press Seen to acknowledge.</source>
        <translation>Arvon ”{mine}” säilyttäminen ei ole sinun päätettävissäsi: {why}. Kuittaa painamalla Nähty.</translation>
    </message>
    <message>
        <source>Your decision is waiting to be sent.</source>
        <translation>Päätöksesi odottaa lähetystä.</translation>
    </message>
    <message>
        <source>Seen, keep theirs</source>
        <translation>Nähty, pidä heidän arvonsa</translation>
    </message>
    <message>
        <source>Keep mine: {why}</source>
        <translation>Pidä omani: {why}</translation>
    </message>
    <message>
        <source>the office decides on proposed corrections: ask your supervisor</source>
        <translation>korjausehdotuksista päättää toimisto: kysy esihenkilöltäsi</translation>
    </message>
    <message>
        <source>this is for dispatch to decide: ask your supervisor</source>
        <translation>tästä päättää työnjako: kysy esihenkilöltäsi</translation>
    </message>
    <message>
        <source>the ticket is {status}: it cannot change any more</source>
        <translation>tehtävä on tilassa {status}: sitä ei voi enää muuttaa</translation>
    </message>
    <message>
        <source>the ticket is now with {holder}: ask your supervisor</source>
        <translation>tehtävä on nyt: {holder}; kysy esihenkilöltäsi</translation>
    </message>
    <message>
        <source>Conflicts</source>
        <translation>Ristiriidat</translation>
    </message>
    <message>
        <source>Keep mine</source>
        <translation>Pidä omani</translation>
    </message>
    <message>
        <source>No conflicts. Everything you did is on the server or on its way.</source>
        <translation>Ei ristiriitoja. Kaikki tekemäsi on palvelimella tai matkalla sinne.</translation>
    </message>
    <message>
        <source>Refused changes</source>
        <translation>Hylätyt muutokset</translation>
    </message>
    <message>
        <source>Changes the server refused</source>
        <translation>Muutokset, jotka palvelin hylkäsi</translation>
    </message>
    <message>
        <source>Ticket {ticket}: {what} was refused: {reason}</source>
        <translation>Tehtävä {ticket}: {what} hylättiin: {reason}</translation>
    </message>
    <message>
        <source>Unassigned</source>
        <extracomment>Counts background builds of markers or pages; only the newest is applied. Seconds from starting the page load to the markers being on the map (last load). The page&apos;s own measure (ms from navigation start to markers on the map).
----------
The drag payload: JSON {&quot;ids&quot;: [ticket ids], &quot;from&quot;: crew code or null}. Statuses the crew is not yet working on; other open statuses are shown on the item. Most tickets a column lists (the most urgent first); nobody scrolls past this on a board. Tickets of the crew resolved today (last changed today while resolved). Open tickets beyond the column&apos;s limit (the least urgent), not listed. Column order: None (the unassigned queue) first, then the supervised crews. The board&apos;s open tickets for the map, most urgent first, at most MAX_MARKERS. The board&apos;s crews&apos; last shared positions, as labelled dots (crewpositions.crew_dots).
----------
The counts and medians, without ticket ids (sync.opscounts): those come on a tap.</extracomment>
        <translation>Jakamatta</translation>
    </message>
    <message>
        <source>Crew {crew}</source>
        <translation>Ryhmä {crew}</translation>
    </message>
    <message>
        <source>{open} waiting · {overdue} overdue</source>
        <translation>{open} odottaa · {overdue} myöhässä</translation>
    </message>
    <message>
        <source>{open} open · {overdue} overdue · {resolved} resolved today</source>
        <translation>{open} avoinna · {overdue} myöhässä · {resolved} valmiina tänään</translation>
    </message>
    <message>
        <source>{n} more not shown</source>
        <translation>{n} lisää ei näytetä</translation>
    </message>
    <message>
        <source>⚑ ESCALATED</source>
        <translation>⚑ ESKALOITU</translation>
    </message>
    <message>
        <source>⧉ possible duplicate</source>
        <translation>⧉ mahdollinen kaksoisilmoitus</translation>
    </message>
    <message>
        <source>⚠ OVERDUE</source>
        <translation>⚠ MYÖHÄSSÄ</translation>
    </message>
    <message>
        <source>◷ due soon</source>
        <translation>◷ määräaika lähellä</translation>
    </message>
    <message>
        <source>⟳ not sent yet</source>
        <translation>⟳ ei vielä lähetetty</translation>
    </message>
    <message>
        <source>Due {time}</source>
        <translation>Määräaika {time}</translation>
    </message>
    <message>
        <source>No due time</source>
        <translation>Ei määräaikaa</translation>
    </message>
    <message>
        <source>Unassigned tickets</source>
        <extracomment>(ticket ids, this column&apos;s crew) when tickets were dropped here. Enter or double-click on a ticket. A plain click or arrow key (no Ctrl/Shift): other columns should drop their selection.</extracomment>
        <translation>Jakamattomat tehtävät</translation>
    </message>
    <message>
        <source>Tickets of crew {crew}</source>
        <translation>Ryhmän {crew} tehtävät</translation>
    </message>
    <message>
        <source>Changed on this device; not yet on the server</source>
        <extracomment>The list&apos;s due-time filters: what a crew asks for at the start of a shift. None, &quot;today&quot; (due before the end of today, late ones too) or &quot;overdue&quot;.</extracomment>
        <translation>Muutettu tällä laitteella; ei vielä palvelimella</translation>
    </message>
    <message>
        <source>Workload of {column}</source>
        <translation>Työmäärä: {column}</translation>
    </message>
    <message>
        <source>Reassign tickets</source>
        <translation>Siirrä tehtäviä</translation>
    </message>
    <message>
        <source>Move the selected ticket to:</source>
        <translation>Siirrä valittu tehtävä:</translation>
    </message>
    <message>
        <source>Move {n} selected tickets to:</source>
        <translation>Siirrä {n} valittua tehtävää:</translation>
    </message>
    <message>
        <source>Unassigned queue</source>
        <translation>Jakamattomien jono</translation>
    </message>
    <message>
        <source>Move back to the unassigned queue</source>
        <translation>Palauta jakamattomien jonoon</translation>
    </message>
    <message>
        <source>Crew {crew} ({open} open, {overdue} overdue)</source>
        <translation>Ryhmä {crew} ({open} avoinna, {overdue} myöhässä)</translation>
    </message>
    <message>
        <source>Reassign to crew {crew}</source>
        <translation>Siirrä ryhmälle {crew}</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Peruuta</translation>
    </message>
    <message>
        <source>Dispatch</source>
        <extracomment>Reassignments were queued locally (the window may start a sync). Double-click or Enter on a ticket.</extracomment>
        <translation>Työnjako</translation>
    </message>
    <message>
        <source>Selected tickets</source>
        <translation>Valitut tehtävät</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Päivitä</translation>
    </message>
    <message>
        <source>Refresh the dispatch board</source>
        <translation>Päivitä työnjakonäkymä</translation>
    </message>
    <message>
        <source>Map</source>
        <extracomment>Height of the ticket&apos;s map (device-independent pixels). Zoom of the ticket&apos;s map: a few streets round the site. A new reverse lookup only after moving this far.</extracomment>
        <translation>Kartta</translation>
    </message>
    <message>
        <source>Show all tickets on a map, coloured by crew</source>
        <translation>Näytä kaikki tehtävät kartalla ryhmittäin väritettyinä</translation>
    </message>
    <message>
        <source>Operations</source>
        <translation>Tilannekuva</translation>
    </message>
    <message>
        <source>Backlog, SLA risk, escalations and response times</source>
        <translation>Jono, SLA-riski, eskalaatiot ja vasteajat</translation>
    </message>
    <message>
        <source>Reassign…</source>
        <translation>Siirrä…</translation>
    </message>
    <message>
        <source>Reassign the selected tickets</source>
        <translation>Siirrä valitut tehtävät</translation>
    </message>
    <message>
        <source>Move the selected tickets to another crew (Ctrl+M)</source>
        <translation>Siirrä valitut tehtävät toiselle ryhmälle (Ctrl+M)</translation>
    </message>
    <message>
        <source>Assign suggested</source>
        <translation>Jaa ehdotetuille</translation>
    </message>
    <message>
        <source>Give each selected ticket to the crew suggested for it</source>
        <translation>Anna jokainen valittu tehtävä sille ehdotetulle ryhmälle</translation>
    </message>
    <message>
        <source>The nearest crew to the ticket, counting the work it already has; the reasons are shown</source>
        <translation>Tehtävää lähin ryhmä, sen nykyinen työmäärä huomioiden; perustelut näytetään</translation>
    </message>
    <message>
        <source>Suggested assignments</source>
        <extracomment>Where the last suggested assignments went, and why (until the next ones).</extracomment>
        <translation>Ehdotetut jaot</translation>
    </message>
    <message>
        <source>Drag tickets onto another column to reassign them, or select several and press Reassign.</source>
        <translation>Siirrä tehtäviä vetämällä ne toiseen sarakkeeseen, tai valitse useita ja paina Siirrä.</translation>
    </message>
    <message>
        <source>Dispatch columns</source>
        <translation>Työnjaon sarakkeet</translation>
    </message>
    <message>
        <source>Ticket {ticket}: {reason}</source>
        <translation>Tehtävä {ticket}: {reason}</translation>
    </message>
    <message>
        <source>One ticket could not be reassigned.</source>
        <translation>Yhtä tehtävää ei voitu siirtää.</translation>
    </message>
    <message>
        <source>{n} tickets could not be reassigned.</source>
        <translation>{n} tehtävää ei voitu siirtää.</translation>
    </message>
    <message>
        <source>The other tickets were reassigned.</source>
        <translation>Muut tehtävät siirrettiin.</translation>
    </message>
    <message>
        <source>Map of the crews&apos; tickets</source>
        <translation>Ryhmien tehtävät kartalla</translation>
    </message>
    <message>
        <source>The dispatch board is for supervisors. Sign in as a supervisor to reassign tickets.</source>
        <translation>Työnjako on työnjohtajille. Kirjaudu työnjohtajana siirtääksesi tehtäviä.</translation>
    </message>
    <message>
        <source>No tickets selected</source>
        <translation>Ei valittuja tehtäviä</translation>
    </message>
    <message>
        <source>1 ticket selected</source>
        <translation>1 tehtävä valittu</translation>
    </message>
    <message>
        <source>{n} tickets selected</source>
        <translation>{n} tehtävää valittu</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Kiireellisyys</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Tila</translation>
    </message>
    <message>
        <source>Nearest</source>
        <translation>Lähimmät</translation>
    </message>
    <message>
        <source>Due first</source>
        <translation>Eräpäivän mukaan</translation>
    </message>
    <message>
        <source>Open</source>
        <extracomment>The filter chips: which tickets the list shows.</extracomment>
        <translation>Avoimet</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>Tänään</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>Myöhässä</translation>
    </message>
    <message>
        <source>All</source>
        <translation>Kaikki</translation>
    </message>
    <message>
        <source>Search address, description, ticket…</source>
        <extracomment>How long after the last touch a position may re-sort the list (nothing moves under a finger).</extracomment>
        <translation>Hae osoitetta, kuvausta, tehtävää…</translation>
    </message>
    <message>
        <source>Search tickets</source>
        <translation>Hae tehtäviä</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Näytä</translation>
    </message>
    <message>
        <source>Sort by</source>
        <translation>Järjestys</translation>
    </message>
    <message>
        <source>Order updated: nearest first</source>
        <extracomment>Says the order changed after the list was left alone (never while a finger is on it).</extracomment>
        <translation>Järjestys päivitetty: lähimmät ensin</translation>
    </message>
    <message>
        <source>Show the map</source>
        <translation>Näytä kartta</translation>
    </message>
    <message>
        <source>Service type</source>
        <translation>Palvelutyyppi</translation>
    </message>
    <message>
        <source>All services</source>
        <extracomment>A position that arrived while the list was touched: applied once it is left alone.</extracomment>
        <translation>Kaikki palvelut</translation>
    </message>
    <message>
        <source>Tickets</source>
        <extracomment>Lines of text on a card.</extracomment>
        <translation>Tehtävät</translation>
    </message>
    <message>
        <source>{n} tickets</source>
        <translation>{n} tehtävää</translation>
    </message>
    <message>
        <source>the map shows the first {m:,}</source>
        <translation>kartalla näkyy ensimmäiset {m:,}</translation>
    </message>
    <message>
        <source>from {author}</source>
        <extracomment>Thumbnails of other devices&apos; photos, fetched once from the server and kept for offline use.</extracomment>
        <translation>lähettäjä {author}</translation>
    </message>
    <message>
        <source>✗ upload failed: {reason}</source>
        <translation>✗ lähetys epäonnistui: {reason}</translation>
    </message>
    <message>
        <source>✓ on the server</source>
        <translation>✓ palvelimella</translation>
    </message>
    <message>
        <source>⟳ checking on the server</source>
        <translation>⟳ tarkistetaan palvelimella</translation>
    </message>
    <message>
        <source>⟳ uploading {percent}%</source>
        <translation>⟳ lähetetään {percent} %</translation>
    </message>
    <message>
        <source>⟳ waiting for sync</source>
        <translation>⟳ odottaa synkronointia</translation>
    </message>
    <message>
        <source>⟳ waiting to upload ({reason})</source>
        <translation>⟳ odottaa lähetystä ({reason})</translation>
    </message>
    <message>
        <source>⟳ waiting to upload</source>
        <translation>⟳ odottaa lähetystä</translation>
    </message>
    <message>
        <source>Add photos from files or a camera card</source>
        <translation>Lisää kuvia tiedostoista tai kameran muistikortilta</translation>
    </message>
    <message>
        <source>Drop photos or folders here. Tap a failed upload to try again.</source>
        <translation>Pudota kuvia tai kansioita tähän. Yritä epäonnistunutta lähetystä uudelleen napauttamalla sitä.</translation>
    </message>
    <message>
        <source>{kind} photo</source>
        <translation>{kind}-kuva</translation>
    </message>
    <message>
        <source>No camera found on this device. Add the photo from files instead.</source>
        <extracomment>(file path, photo kind)</extracomment>
        <translation>Tässä laitteessa ei ole kameraa. Lisää kuva tiedostoista.</translation>
    </message>
    <message>
        <source>Take photo</source>
        <translation>Ota kuva</translation>
    </message>
    <message>
        <source>From files…</source>
        <translation>Tiedostoista…</translation>
    </message>
    <message>
        <source>Add the photo from files</source>
        <translation>Lisää kuva tiedostoista</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Valmis</translation>
    </message>
    <message>
        <source>Back to the ticket</source>
        <translation>Takaisin tehtävään</translation>
    </message>
    <message>
        <source>Other folder…</source>
        <extracomment>(chosen files, photo kind)</extracomment>
        <translation>Muu kansio…</translation>
    </message>
    <message>
        <source>Pick pictures from another folder or a camera card</source>
        <translation>Valitse kuvia toisesta kansiosta tai kameran muistikortilta</translation>
    </message>
    <message>
        <source>Pictures</source>
        <translation>Kuvat</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Lisää</translation>
    </message>
    <message>
        <source>Back without adding photos</source>
        <translation>Takaisin lisäämättä kuvia</translation>
    </message>
    <message>
        <source>This folder cannot be read: {reason}</source>
        <translation>Tätä kansiota ei voi lukea: {reason}</translation>
    </message>
    <message>
        <source>No pictures in this folder.</source>
        <translation>Tässä kansiossa ei ole kuvia.</translation>
    </message>
    <message>
        <source>Add {n} photo(s)</source>
        <translation>Lisää {n} kuva(a)</translation>
    </message>
    <message>
        <source>Pick a folder or camera card</source>
        <translation>Valitse kansio tai kameran muistikortti</translation>
    </message>
    <message>
        <source>Caption (optional)</source>
        <extracomment>Photos were attached (queued on this device); the window starts a sync. (photo kind, how many) after photos were attached. The crew wants the camera panel / the picture picker, with this photo kind chosen. Where the device is now (sync.wire.Position as a dict), for photos without EXIF GPS.</extracomment>
        <translation>Kuvateksti (vapaaehtoinen)</translation>
    </message>
    <message>
        <source>Photo caption</source>
        <translation>Kuvateksti</translation>
    </message>
    <message>
        <source>Reporter may see it</source>
        <translation>Ilmoittaja saa nähdä</translation>
    </message>
    <message>
        <source>Remove originals from this device once the server has them</source>
        <translation>Poista alkuperäiset tältä laitteelta, kun ne ovat palvelimella</translation>
    </message>
    <message>
        <source>Photo messages</source>
        <translation>Kuvien ilmoitukset</translation>
    </message>
    <message>
        <source>{kind} photos</source>
        <translation>Kuvat: {kind}</translation>
    </message>
    <message>
        <source> · not for the reporter</source>
        <translation> · ei ilmoittajalle</translation>
    </message>
    <message>
        <source>no photos found there</source>
        <translation>sieltä ei löytynyt kuvia</translation>
    </message>
    <message>
        <source>{n} photo(s) added; they upload in the background.</source>
        <translation>{n} kuvaa lisätty; ne lähetetään taustalla.</translation>
    </message>
    <message>
        <source>Not added: {reason}</source>
        <translation>Ei lisätty: {reason}</translation>
    </message>
    <message>
        <source>Adding photos…</source>
        <translation>Lisätään kuvia…</translation>
    </message>
    <message>
        <source>Tile source</source>
        <translation>Karttatiilien lähde</translation>
    </message>
    <message>
        <source>Margin round each ticket</source>
        <translation>Reunus tehtävien ympärillä</translation>
    </message>
    <message>
        <source> m</source>
        <translation> m</translation>
    </message>
    <message>
        <source>Lowest zoom</source>
        <translation>Pienin zoomaus</translation>
    </message>
    <message>
        <source>Highest zoom</source>
        <translation>Suurin zoomaus</translation>
    </message>
    <message>
        <source>Storage budget</source>
        <translation>Tallennustilaa enintään</translation>
    </message>
    <message>
        <source> MB</source>
        <translation> Mt</translation>
    </message>
    <message>
        <source>Refresh old tiles by themselves when online</source>
        <translation>Päivitä vanhat karttatiilet itsestään, kun yhteys toimii</translation>
    </message>
    <message>
        <source>Working out the area…</source>
        <translation>Lasketaan aluetta…</translation>
    </message>
    <message>
        <source>Download size</source>
        <translation>Latauksen koko</translation>
    </message>
    <message>
        <source>Download progress</source>
        <translation>Latauksen eteneminen</translation>
    </message>
    <message>
        <source>Download status</source>
        <translation>Latauksen tila</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>Lataa</translation>
    </message>
    <message>
        <source>Cancel download</source>
        <translation>Keskeytä lataus</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Jatka</translation>
    </message>
    <message>
        <source>Refresh old tiles</source>
        <translation>Päivitä vanhat karttatiilet</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Sulje</translation>
    </message>
    <message>
        <source>Area round each ticket</source>
        <translation>Alue tehtävien ympärillä</translation>
    </message>
    <message>
        <source>to</source>
        <translation>–</translation>
    </message>
    <message>
        <source>Zoom levels</source>
        <translation>Zoomaustasot</translation>
    </message>
    <message>
        <source>Tile URL {z}/{x}/{y}</source>
        <translation>Karttatiilien URL {z}/{x}/{y}</translation>
    </message>
    <message>
        <source>No open tickets with a location: nothing to download.</source>
        <translation>Ei avoimia tehtäviä, joilla on sijainti: ladattavaa ei ole.</translation>
    </message>
    <message>
        <source>{n} tiles (zoom {low}-{high}), about {mb} MB to download</source>
        <translation>{n} karttatiiltä (zoomaus {low}–{high}), noin {mb} Mt ladattavaa</translation>
    </message>
    <message>
        <source>zoom {levels} left out to stay within the storage budget</source>
        <translation>zoomaustasot {levels} jätetty pois, jotta tallennustila riittää</translation>
    </message>
    <message>
        <source>{n} already on this device</source>
        <translation>{n} on jo tällä laitteella</translation>
    </message>
    <message>
        <source>Stopping after the current tile…</source>
        <translation>Pysähdytään nykyisen tiilen jälkeen…</translation>
    </message>
    <message>
        <source>Downloading…</source>
        <translation>Ladataan…</translation>
    </message>
    <message>
        <source>{done} of {total} tiles · {mb:.1f} MB downloaded</source>
        <translation>{done}/{total} tiiltä · {mb:.1f} Mt ladattu</translation>
    </message>
    <message>
        <source>{u} not available from the source</source>
        <translation>{u} ei saatavilla lähteestä</translation>
    </message>
    <message>
        <source>The map for your work is on this device.</source>
        <translation>Omien töidesi kartta on tällä laitteella.</translation>
    </message>
    <message>
        <source>Downloaded, but {n} tiles are missing at the source.</source>
        <translation>Ladattu, mutta lähteestä puuttuu {n} tiiltä.</translation>
    </message>
    <message>
        <source>Download cancelled. Resume continues where it stopped.</source>
        <translation>Lataus keskeytetty. Jatka-painike jatkaa siitä, mihin jäätiin.</translation>
    </message>
    <message>
        <source>The storage budget is full; raise it or choose fewer zoom levels.</source>
        <translation>Tallennustila on täynnä; kasvata sitä tai valitse vähemmän zoomaustasoja.</translation>
    </message>
    <message>
        <source>The download stopped: {why}</source>
        <translation>Lataus pysähtyi: {why}</translation>
    </message>
    <message>
        <source>{n} tiles downloaded, {m} renewed, {k} already here.</source>
        <translation>{n} tiiltä ladattu, {m} uusittu, {k} oli jo täällä.</translation>
    </message>
    <message>
        <source>{n} tiles downloaded, {u} not available from the source, {m} renewed, {k} already here.</source>
        <translation>{n} karttaruutua ladattu, {u} ei saatavilla lähteestä, {m} uusittu, {k} jo laitteella.</translation>
    </message>
    <message>
        <source>On: my supervisor sees where this device is</source>
        <extracomment>The theme&apos;s name, after it was applied. The language choice (&quot;system&quot;, fi, sv, en), after it was installed. Position sharing was turned on or off (stored; the next sync tells the server). The device&apos;s replica, where position sharing is kept (it exists once signed in).</extracomment>
        <translation>Päällä: esihenkilöni näkee, missä tämä laite on</translation>
    </message>
    <message>
        <source>Off: my position is not shared</source>
        <translation>Pois: sijaintiani ei jaeta</translation>
    </message>
    <message>
        <source>← Back</source>
        <translation>← Takaisin</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Takaisin</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>Teema</translation>
    </message>
    <message>
        <source>Sunlight</source>
        <translation>Auringonvalo</translation>
    </message>
    <message>
        <source>Black on white, for reading outdoors</source>
        <translation>Musta valkoisella, ulkona lukemiseen</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Tumma</translation>
    </message>
    <message>
        <source>Light on black, for night shifts</source>
        <translation>Vaalea mustalla, yövuoroihin</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Kieli</translation>
    </message>
    <message>
        <source>These choices are kept on this device, also after signing out.</source>
        <translation>Valinnat säilyvät tällä laitteella myös uloskirjautumisen jälkeen.</translation>
    </message>
    <message>
        <source>Share my position</source>
        <translation>Jaa sijaintini</translation>
    </message>
    <message>
        <source>While on, each sync sends this device&apos;s last position to the server; only your crew&apos;s supervisors see it. Turning it off removes it from the server at the next sync.</source>
        <translation>Kun jakaminen on päällä, jokainen synkronointi lähettää laitteen viimeisimmän sijainnin palvelimelle; vain ryhmäsi esihenkilöt näkevät sen. Kun käännät sen pois, sijainti poistetaan palvelimelta seuraavassa synkronoinnissa.</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>Palvelimen osoite</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>Käyttäjätunnus</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Salasana</translation>
    </message>
    <message>
        <source>Sign-in problem</source>
        <translation>Kirjautumisongelma</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Kirjaudu</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>Palvelin</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Käyttäjä</translation>
    </message>
    <message>
        <source>Fill in the server, your user name and your password.</source>
        <translation>Täytä palvelin, käyttäjätunnus ja salasana.</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>Kirjaudutaan…</translation>
    </message>
    <message>
        <source>never</source>
        <extracomment>The theme role (fieldapp.theme stylesheet) of the connection word per phase. How much larger the connection word is when something is wrong.</extracomment>
        <translation>ei koskaan</translation>
    </message>
    <message>
        <source>Sync status</source>
        <translation>Synkronoinnin tila</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>Yhteys</translation>
    </message>
    <message>
        <source>Changes not yet sent</source>
        <translation>Lähettämättömät muutokset</translation>
    </message>
    <message>
        <source>Last successful sync</source>
        <translation>Viimeisin onnistunut synkronointi</translation>
    </message>
    <message>
        <source>Escalated tickets</source>
        <translation>Eskaloidut tehtävät</translation>
    </message>
    <message>
        <source>Sync progress</source>
        <translation>Synkronoinnin eteneminen</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>Synkronoi nyt</translation>
    </message>
    <message>
        <source>{n} to send</source>
        <translation>{n} lähettämättä</translation>
    </message>
    <message>
        <source>Last sync {time}</source>
        <translation>Viimeksi synkronoitu {time}</translation>
    </message>
    <message>
        <source>{n} conflicts</source>
        <translation>{n} ristiriitaa</translation>
    </message>
    <message>
        <source>{n} escalated</source>
        <translation>{n} eskaloitu</translation>
    </message>
    <message>
        <source>Sending %v / %m</source>
        <translation>Lähetetään %v / %m</translation>
    </message>
    <message>
        <source>Receiving</source>
        <translation>Vastaanotetaan</translation>
    </message>
    <message>
        <source>Ticket location</source>
        <extracomment>The latest fix: (lat, lon, accuracy in metres or NaN, when).</extracomment>
        <translation>Tehtävän sijainti</translation>
    </message>
    <message>
        <source>Way to the site</source>
        <translation>Reitti kohteeseen</translation>
    </message>
    <message>
        <source>Where you are</source>
        <translation>Sijaintisi</translation>
    </message>
    <message>
        <source>No location on this ticket</source>
        <translation>Tehtävällä ei ole sijaintia</translation>
    </message>
    <message>
        <source>Location {lat:.5f}, {lon:.5f}</source>
        <translation>Sijainti {lat:.5f}, {lon:.5f}</translation>
    </message>
    <message>
        <source>You are at the site ({distance})</source>
        <translation>Olet kohteessa ({distance})</translation>
    </message>
    <message>
        <source>The site is {distance} {direction} of you</source>
        <translation>Kohde on {distance} sinusta suuntaan {direction}</translation>
    </message>
    <message>
        <source>You are at {lat:.5f}, {lon:.5f}</source>
        <translation>Olet kohdassa {lat:.5f}, {lon:.5f}</translation>
    </message>
    <message>
        <source>You are near {address}</source>
        <translation>Olet lähellä osoitetta {address}</translation>
    </message>
    <message>
        <source>You are at the site — mark it In progress?</source>
        <translation>Olet kohteessa — merkitäänkö työ alkaneeksi?</translation>
    </message>
    <message>
        <source>On site</source>
        <translation>Kohteessa</translation>
    </message>
    <message>
        <source>Start work</source>
        <translation>Aloita työ</translation>
    </message>
    <message>
        <source>Mark the ticket In progress</source>
        <translation>Merkitse tehtävä työn alle</translation>
    </message>
    <message>
        <source>Not now</source>
        <translation>Ei nyt</translation>
    </message>
    <message>
        <source>Resolve ticket</source>
        <extracomment>Buttons per row in the outcome and reason grids (two fit a portrait tablet with long words). (resolution code, outcome note)</extracomment>
        <translation>Merkitse tehtävä valmiiksi</translation>
    </message>
    <message>
        <source>Take after photo</source>
        <translation>Ota jälkeen-kuva</translation>
    </message>
    <message>
        <source>Add the after photo from files</source>
        <translation>Lisää jälkeen-kuva tiedostoista</translation>
    </message>
    <message>
        <source>Skip</source>
        <translation>Ohita</translation>
    </message>
    <message>
        <source>Resolve without an after photo</source>
        <translation>Kuittaa ilman jälkeen-kuvaa</translation>
    </message>
    <message>
        <source>What was done (the reporter reads this)</source>
        <translation>Mitä tehtiin (ilmoittaja lukee tämän)</translation>
    </message>
    <message>
        <source>Outcome note</source>
        <translation>Lopputuloksen kuvaus</translation>
    </message>
    <message>
        <source>Resolve: {outcome}</source>
        <translation>Kuittaa: {outcome}</translation>
    </message>
    <message>
        <source>Back to the ticket without resolving</source>
        <translation>Takaisin tehtävään kuittaamatta</translation>
    </message>
    <message>
        <source>Outcome: tap one to resolve</source>
        <translation>Lopputulos: kuittaa napauttamalla</translation>
    </message>
    <message>
        <source>No camera found on this device</source>
        <translation>Tässä laitteessa ei ole kameraa</translation>
    </message>
    <message>
        <source>There is a before photo. Add an after photo?</source>
        <translation>Tehtävällä on ennen-kuva. Lisätäänkö jälkeen-kuva?</translation>
    </message>
    <message>
        <source>There is a before photo. No camera here: add the after photo from files?</source>
        <translation>Tehtävällä on ennen-kuva. Laitteessa ei ole kameraa: lisätäänkö jälkeen-kuva tiedostoista?</translation>
    </message>
    <message>
        <source>✓ After photo added. Choose the outcome.</source>
        <translation>✓ Jälkeen-kuva lisätty. Valitse lopputulos.</translation>
    </message>
    <message>
        <source>Put on hold</source>
        <extracomment>The note&apos;s text: the reason&apos;s words, and what the crew wrote.</extracomment>
        <translation>Aseta odottamaan</translation>
    </message>
    <message>
        <source>Other reason</source>
        <translation>Muu syy</translation>
    </message>
    <message>
        <source>Note (optional)</source>
        <translation>Huomautus (vapaaehtoinen)</translation>
    </message>
    <message>
        <source>Hold note</source>
        <translation>Odotuksen huomautus</translation>
    </message>
    <message>
        <source>Back to the ticket without putting it on hold</source>
        <translation>Takaisin tehtävään asettamatta sitä odottamaan</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Syy</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>Lopputulos</translation>
    </message>
    <message>
        <source>En route</source>
        <extracomment>What each move is called on its button.</extracomment>
        <translation>Matkalla</translation>
    </message>
    <message>
        <source>On hold…</source>
        <translation>Odottaa…</translation>
    </message>
    <message>
        <source>Resolve…</source>
        <translation>Kuittaa valmiiksi…</translation>
    </message>
    <message>
        <source>Cancel ticket</source>
        <translation>Peru tehtävä</translation>
    </message>
    <message>
        <source>Back to assigned</source>
        <translation>Takaisin osoitetuksi</translation>
    </message>
    <message>
        <source>Service</source>
        <translation>Palvelu</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>Määräaika</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Osoite</translation>
    </message>
    <message>
        <source>Crew</source>
        <translation>Ryhmä</translation>
    </message>
    <message>
        <source>⚑ Escalated: nobody was acting on it by its escalation time (due {due})</source>
        <translation>⚑ Eskaloitu: kukaan ei ollut tarttunut tehtävään eskalointiaikaan mennessä (määräaika {due})</translation>
    </message>
    <message>
        <source>⧉ Possible duplicate: a new report of the same service close by</source>
        <translation>⧉ Mahdollinen kaksoisilmoitus: uusi saman palvelun ilmoitus lähellä</translation>
    </message>
    <message>
        <source>⧉ Another report of the same problem was merged into this ticket</source>
        <translation>⧉ Toinen ilmoitus samasta ongelmasta yhdistettiin tähän tikettiin</translation>
    </message>
    <message>
        <source>↺ Reopened: the reporter says it is not fixed: “{words}”</source>
        <translation>↺ Avattu uudelleen: ilmoittajan mukaan ongelmaa ei ole korjattu: “{words}”</translation>
    </message>
    <message>
        <source>↺ The reporter says it is not fixed: new ticket {ticket}</source>
        <translation>↺ Ilmoittajan mukaan ongelmaa ei ole korjattu: uusi tiketti {ticket}</translation>
    </message>
    <message>
        <source>← My work</source>
        <extracomment>The pages between header and action bar, by name (also `MainWindow.prepare_screenshot`&apos;s panels). A horizontal move this long (px) and mostly sideways is a swipe. Two columns of details from this width on (landscape tablets). The user changed something (queued locally); the window starts a sync.</extracomment>
        <translation>← Omat työt</translation>
    </message>
    <message>
        <source>Back to the list</source>
        <translation>Takaisin listaan</translation>
    </message>
    <message>
        <source>Ticket</source>
        <translation>Tehtävä</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Kuvaus</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>Huomautukset</translation>
    </message>
    <message>
        <source>Write a note…</source>
        <translation>Kirjoita huomautus…</translation>
    </message>
    <message>
        <source>New note</source>
        <translation>Uusi huomautus</translation>
    </message>
    <message>
        <source>Add note</source>
        <translation>Lisää huomautus</translation>
    </message>
    <message>
        <source>History</source>
        <translation>Historia</translation>
    </message>
    <message>
        <source>Photos</source>
        <translation>Kuvat</translation>
    </message>
    <message>
        <source>⟳ {n} change(s) not yet on the server</source>
        <translation>⟳ {n} muutos(ta) ei vielä palvelimella</translation>
    </message>
    <message>
        <source>No notes yet.</source>
        <translation>Ei vielä huomautuksia.</translation>
    </message>
    <message>
        <source>Tick the checklist before resolving: {items}</source>
        <translation>Rastita tarkistuslista ennen ratkaisemista: {items}</translation>
    </message>
    <message>
        <source>unassigned</source>
        <translation>jakamatta</translation>
    </message>
    <message>
        <source>Why is the work on hold?</source>
        <translation>Miksi työ odottaa?</translation>
    </message>
    <message>
        <source>On hold: {reason}</source>
        <translation>Odottaa: {reason}</translation>
    </message>
    <message>
        <source>Distance</source>
        <translation>Etäisyys</translation>
    </message>
    <message>
        <source>{n} min</source>
        <extracomment>A ticket due within this time is &quot;at risk&quot;.</extracomment>
        <translation>{n} min</translation>
    </message>
    <message>
        <source>no data</source>
        <translation>ei tietoa</translation>
    </message>
    <message>
        <source>{n} h</source>
        <translation>{n} t</translation>
    </message>
    <message>
        <source>under 1 d</source>
        <translation>alle 1 vrk</translation>
    </message>
    <message>
        <source>1–3 d</source>
        <translation>1–3 vrk</translation>
    </message>
    <message>
        <source>3–7 d</source>
        <translation>3–7 vrk</translation>
    </message>
    <message>
        <source>over 7 d</source>
        <translation>yli 7 vrk</translation>
    </message>
    <message>
        <source>How fresh the figures are</source>
        <extracomment>A ticket in the list was tapped. New figures are on screen.</extracomment>
        <translation>Lukujen ajantasaisuus</translation>
    </message>
    <message>
        <source>Compute the figures again</source>
        <translation>Laske luvut uudelleen</translation>
    </message>
    <message>
        <source>Tap a figure to see its tickets.</source>
        <translation>Napauta lukua nähdäksesi sen tehtävät.</translation>
    </message>
    <message>
        <source>Tickets behind the figure</source>
        <translation>Luvun tehtävät</translation>
    </message>
    <message>
        <source>{what}: {n} tickets</source>
        <translation>{what}: {n} tehtävää</translation>
    </message>
    <message>
        <source>As of the last sync, {time}: changes since then are not counted.</source>
        <translation>Viimeisimmän synkronoinnin mukaan ({time}): sen jälkeisiä muutoksia ei ole laskettu.</translation>
    </message>
    <message>
        <source>Not synced yet: the figures show only what is on this device.</source>
        <translation>Ei vielä synkronoitu: luvut näyttävät vain tämän laitteen tiedot.</translation>
    </message>
    <message>
        <source>Open: {n}</source>
        <translation>Avoinna: {n}</translation>
    </message>
    <message>
        <source>Due within 2 h: {n}</source>
        <translation>Määräaika 2 t sisällä: {n}</translation>
    </message>
    <message>
        <source>Overdue: {n}</source>
        <translation>Myöhässä: {n}</translation>
    </message>
    <message>
        <source>Escalated: {n}</source>
        <translation>Eskaloitu: {n}</translation>
    </message>
    <message>
        <source>First response ({window}): {time}</source>
        <translation>Ensivaste ({window}): {time}</translation>
    </message>
    <message>
        <source>Resolution ({window}): {time}</source>
        <translation>Valmistuminen ({window}): {time}</translation>
    </message>
    <message>
        <source>{crew}: {n} open ({ages})</source>
        <translation>{crew}: {n} avoinna ({ages})</translation>
    </message>
    <message>
        <source>oldest {age}</source>
        <translation>vanhin {age}</translation>
    </message>
    <message>
        <source>{service}: {n} open ({ages})</source>
        <translation>{service}: {n} avoinna ({ages})</translation>
    </message>
    <message>
        <source>{service}: {reopened} of {n} reopened ({percent} %)</source>
        <translation>{service}: {reopened}/{n} avattu uudelleen ({percent} %)</translation>
    </message>
    <message>
        <source>{n} d</source>
        <translation>{n} vrk</translation>
    </message>
    <message>
        <source>overdue {amount}</source>
        <translation>myöhässä {amount}</translation>
    </message>
    <message>
        <source>due in {amount}</source>
        <translation>erääntyy {amount} kuluttua</translation>
    </message>
    <message>
        <source>{time} OVERDUE</source>
        <translation>{time} MYÖHÄSSÄ</translation>
    </message>
    <message>
        <source>{time} soon</source>
        <translation>{time} pian</translation>
    </message>
    <message>
        <source>Map of tickets</source>
        <extracomment>Schemes that never reach a network: the page&apos;s own files and the tile scheme. How often (seconds) a missing tile may trigger a rescan of the tile folders. How often the use of cache tiles is written back (for the cache&apos;s LRU eviction). True while tiles of the visible area are missing (the page shows the banner).</extracomment>
        <translation>Tehtävät kartalla</translation>
    </message>
    <message>
        <source>no crew to suggest</source>
        <extracomment>The next best crews, for the reason in words. Whether the ticket was with that crew already (nothing queued).</extracomment>
        <translation>ei ehdotettavaa ryhmää</translation>
    </message>
    <message>
        <source>no open tickets yet</source>
        <translation>ei vielä avoimia tehtäviä</translation>
    </message>
    <message>
        <source>{km} km from its last reported position</source>
        <translation>{km} km sen viimeksi ilmoitetusta sijainnista</translation>
    </message>
    <message>
        <source>{km} km from its nearest open ticket</source>
        <translation>{km} km sen lähimmästä avoimesta tehtävästä</translation>
    </message>
    <message>
        <source>{n} open (about {hours} h of work)</source>
        <translation>{n} avoinna (noin {hours} t työtä)</translation>
    </message>
    <message>
        <source>{address}: stays with crew {crew}: {why}</source>
        <translation>{address}: jää ryhmälle {crew}: {why}</translation>
    </message>
    <message>
        <source>{address} → crew {crew}: {why}</source>
        <translation>{address} → ryhmä {crew}: {why}</translation>
    </message>
    <message>
        <source>(next: crew {crew}, {why})</source>
        <translation>(seuraava: ryhmä {crew}, {why})</translation>
    </message>
    <message>
        <source>Possible duplicates</source>
        <extracomment>Width of each photo in a pair: two side by side fit a portrait tablet. The photos (before first) of this ticket and of the other; None when there is none here. Whether this device holds the other ticket at all. Merge the shown ticket into this one (the other ticket&apos;s id).</extracomment>
        <translation>Mahdolliset kaksoisilmoitukset</translation>
    </message>
    <message>
        <source>Merged</source>
        <translation>Yhdistetty</translation>
    </message>
    <message>
        <source>This report was merged into another ticket of the same problem.</source>
        <translation>Tämä ilmoitus yhdistettiin toiseen saman ongelman tikettiin.</translation>
    </message>
    <message>
        <source>{address}, {metres} m away, same service</source>
        <translation>{address}, {metres} m päässä, sama palvelu</translation>
    </message>
    <message>
        <source>This report</source>
        <translation>Tämä ilmoitus</translation>
    </message>
    <message>
        <source>No photo yet</source>
        <translation>Ei vielä kuvaa</translation>
    </message>
    <message>
        <source>That ticket is not on this device</source>
        <translation>Se tiketti ei ole tällä laitteella</translation>
    </message>
    <message>
        <source>The other report</source>
        <translation>Toinen ilmoitus</translation>
    </message>
    <message>
        <source>Mark this ticket as a duplicate of it</source>
        <translation>Merkitse tämä tiketti sen kaksoisilmoitukseksi</translation>
    </message>
    <message>
        <source>Work record</source>
        <extracomment>Minutes one tap on − or + corrects a time by. Quantity one tap adds, by unit (one of anything else). The fields of a work record to queue (sync.workrecord.WorkRecordValue).</extracomment>
        <translation>Työkirjaus</translation>
    </message>
    <message>
        <source>Travel</source>
        <translation>Matka</translation>
    </message>
    <message>
        <source>{what}: {minutes} minutes less</source>
        <translation>{what}: {minutes} minuuttia vähemmän</translation>
    </message>
    <message>
        <source>{what}: {minutes} minutes more</source>
        <translation>{what}: {minutes} minuuttia enemmän</translation>
    </message>
    <message>
        <source>One less: {name}</source>
        <translation>Yksi vähemmän: {name}</translation>
    </message>
    <message>
        <source>One more: {name}</source>
        <translation>Yksi lisää: {name}</translation>
    </message>
    <message>
        <source>{minutes} min</source>
        <translation>{minutes} min</translation>
    </message>
    <message>
        <source> (required)</source>
        <translation> (pakollinen)</translation>
    </message>
    <message>
        <source>time unknown</source>
        <translation>aika tuntematon</translation>
    </message>
    <message>
        <source>just now</source>
        <translation>juuri nyt</translation>
    </message>
    <message>
        <source>{n} min ago</source>
        <translation>{n} min sitten</translation>
    </message>
    <message>
        <source>{n} h ago</source>
        <translation>{n} h sitten</translation>
    </message>
    <message>
        <source>{n} days ago</source>
        <translation>{n} päivää sitten</translation>
    </message>
</context>
<context>
    <name>labels</name>
    <message>
        <source>Pothole</source>
        <translation>Kuoppa ajoradalla</translation>
    </message>
    <message>
        <source>Damaged sidewalk or curb</source>
        <translation>Vaurioitunut jalkakäytävä tai reunakivi</translation>
    </message>
    <message>
        <source>Street light out</source>
        <translation>Katuvalo ei pala</translation>
    </message>
    <message>
        <source>Traffic signal fault</source>
        <translation>Liikennevalovika</translation>
    </message>
    <message>
        <source>Damaged or missing sign</source>
        <translation>Vaurioitunut tai puuttuva liikennemerkki</translation>
    </message>
    <message>
        <source>Graffiti</source>
        <translation>Töhry</translation>
    </message>
    <message>
        <source>Illegal dumping</source>
        <translation>Luvaton jätteiden jättäminen</translation>
    </message>
    <message>
        <source>Overflowing litter bin</source>
        <translation>Täysi roska-astia</translation>
    </message>
    <message>
        <source>Fallen tree or branch</source>
        <translation>Kaatunut puu tai oksa</translation>
    </message>
    <message>
        <source>Park furniture damage</source>
        <translation>Puiston kalusteiden vaurio</translation>
    </message>
    <message>
        <source>Water leak in street</source>
        <translation>Vesivuoto kadulla</translation>
    </message>
    <message>
        <source>Blocked storm drain</source>
        <translation>Tukkeutunut sadevesikaivo</translation>
    </message>
    <message>
        <source>Snow or ice on walkway</source>
        <translation>Lunta tai jäätä kulkuväylällä</translation>
    </message>
    <message>
        <source>Abandoned bicycle</source>
        <translation>Hylätty polkupyörä</translation>
    </message>
    <message>
        <source>New</source>
        <translation>Uusi</translation>
    </message>
    <message>
        <source>Assigned</source>
        <translation>Osoitettu</translation>
    </message>
    <message>
        <source>En route</source>
        <translation>Matkalla</translation>
    </message>
    <message>
        <source>In progress</source>
        <translation>Työn alla</translation>
    </message>
    <message>
        <source>On hold</source>
        <translation>Odottaa</translation>
    </message>
    <message>
        <source>Resolved</source>
        <translation>Valmis</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>Suljettu</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Peruttu</translation>
    </message>
    <message>
        <source>Fixed</source>
        <extracomment>Resolution codes (`sync.workflow.RESOLUTION_CODES`).</extracomment>
        <translation>Korjattu</translation>
    </message>
    <message>
        <source>Temporary fix</source>
        <translation>Väliaikainen korjaus</translation>
    </message>
    <message>
        <source>Nothing found on site</source>
        <translation>Kohteessa ei havaittu vikaa</translation>
    </message>
    <message>
        <source>Duplicate</source>
        <translation>Päällekkäinen ilmoitus</translation>
    </message>
    <message>
        <source>Referred elsewhere</source>
        <translation>Siirretty muualle</translation>
    </message>
    <message>
        <source>No action needed</source>
        <translation>Ei vaadi toimenpiteitä</translation>
    </message>
    <message>
        <source>Waiting for parts or material</source>
        <extracomment>Why work is on hold; the reason&apos;s words go into the ticket&apos;s note.</extracomment>
        <translation>Odottaa osia tai materiaalia</translation>
    </message>
    <message>
        <source>No access to the site</source>
        <translation>Kohteeseen ei pääse</translation>
    </message>
    <message>
        <source>Weather</source>
        <translation>Sää</translation>
    </message>
    <message>
        <source>Needs another crew or contractor</source>
        <translation>Tarvitaan toinen ryhmä tai urakoitsija</translation>
    </message>
    <message>
        <source>Unsafe to work</source>
        <translation>Työskentely ei ole turvallista</translation>
    </message>
    <message>
        <source>Other…</source>
        <translation>Muu…</translation>
    </message>
    <message>
        <source>crew</source>
        <translation>työryhmä</translation>
    </message>
    <message>
        <source>supervisor</source>
        <translation>työnjohtaja</translation>
    </message>
    <message>
        <source>admin</source>
        <translation>ylläpitäjä</translation>
    </message>
    <message>
        <source>status</source>
        <extracomment>A ticket&apos;s fields, as conflicts and the history name them.</extracomment>
        <translation>tila</translation>
    </message>
    <message>
        <source>priority</source>
        <translation>kiireellisyys</translation>
    </message>
    <message>
        <source>assigned crew</source>
        <translation>vastuuryhmä</translation>
    </message>
    <message>
        <source>due time</source>
        <translation>määräaika</translation>
    </message>
    <message>
        <source>address</source>
        <translation>osoite</translation>
    </message>
    <message>
        <source>description</source>
        <translation>kuvaus</translation>
    </message>
    <message>
        <source>location</source>
        <translation>sijainti</translation>
    </message>
    <message>
        <source>service type</source>
        <translation>palvelutyyppi</translation>
    </message>
    <message>
        <source>outcome</source>
        <translation>lopputulos</translation>
    </message>
    <message>
        <source>outcome note</source>
        <translation>lopputuloksen huomautus</translation>
    </message>
    <message>
        <source>created</source>
        <translation>luotu</translation>
    </message>
    <message>
        <source>duplicate of</source>
        <translation>kaksoisilmoitus tiketille</translation>
    </message>
    <message>
        <source>Before</source>
        <translation>Ennen</translation>
    </message>
    <message>
        <source>After</source>
        <translation>Jälkeen</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Muu</translation>
    </message>
</context>
</TS>
