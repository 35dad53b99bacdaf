<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="sv_SE">
<context>
    <name></name>
    <message>
        <source>Please sign in again: {reason}</source>
        <translation>Logga in på nytt: {reason}</translation>
    </message>
    <message>
        <source>No connection to the case server. Your work is kept and will be sent later.</source>
        <translation>Ingen anslutning till servern. Ditt arbete sparas och skickas senare.</translation>
    </message>
    <message>
        <source>Something went wrong: {error}. Your work is kept.</source>
        <translation>Något gick fel: {error}. Ditt arbete är sparat.</translation>
    </message>
    <message>
        <source>Field app</source>
        <translation>Fältappen</translation>
    </message>
    <message>
        <source>Error message</source>
        <translation>Felmeddelande</translation>
    </message>
    <message>
        <source>System language</source>
        <extracomment>The languages the app speaks; English is built in (the source strings). What a user may choose: the system&apos;s language or one of ours. Each language&apos;s name in itself (never translated: a user looks for their own). The locale of a language when the system&apos;s own locale speaks another (Helsinki&apos;s first).</extracomment>
        <translation>Enhetens språk</translation>
    </message>
    <message>
        <source>Online</source>
        <extracomment>Strings that screens pass to ``tr()`` through a variable (a table of labels), written out here so lupdate sees them. Screens should prefer `fieldapp.labels` or literal ``tr(&quot;...&quot;)`` calls; this list is for the few tables that remain.</extracomment>
        <translation>Ansluten</translation>
    </message>
    <message>
        <source>Syncing…</source>
        <translation>Synkroniserar…</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Ingen anslutning</translation>
    </message>
    <message>
        <source>Sync problem</source>
        <translation>Synkroniseringsproblem</translation>
    </message>
    <message>
        <source>New tickets</source>
        <extracomment>Where maps find tiles: the profile&apos;s downloads first, then the shipped basemap.</extracomment>
        <translation>Nya uppdrag</translation>
    </message>
    <message>
        <source>My work</source>
        <translation>Mina uppdrag</translation>
    </message>
    <message>
        <source>Offline map…</source>
        <translation>Karta på enheten…</translation>
    </message>
    <message>
        <source>Download map for my work</source>
        <extracomment>Cache files being refreshed in the background (one refresh at a time each). New tiles are in the cache (the maps should look again).</extracomment>
        <translation>Ladda ner kartan för mina uppdrag</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Inställningar</translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation>Logga ut</translation>
    </message>
    <message>
        <source>{pending} change(s) have not reached the server yet and {rejected} were refused. Signing out now deletes them from this device for good.</source>
        <translation>{pending} ändringar har ännu inte nått servern och {rejected} avvisades. Om du loggar ut nu raderas de från enheten för gott.</translation>
    </message>
    <message>
        <source>Sign out and discard them</source>
        <translation>Logga ut och kasta dem</translation>
    </message>
    <message>
        <source>Stay signed in</source>
        <translation>Förbli inloggad</translation>
    </message>
    <message>
        <source>{n} new ticket(s) assigned since you last looked</source>
        <translation>{n} nya uppdrag har tilldelats sedan du senast tittade</translation>
    </message>
    <message>
        <source>nothing</source>
        <translation>ingenting</translation>
    </message>
    <message>
        <source>crew {crew}</source>
        <extracomment>Item data roles of a conflict row.</extracomment>
        <translation>arbetslag {crew}</translation>
    </message>
    <message>
        <source>the unassigned queue</source>
        <translation>kön med otilldelade</translation>
    </message>
    <message>
        <source>The ticket: {service} at {address}, {status}, with {holder}.</source>
        <translation>Ärendet: {service}, {address}, {status}, hos {holder}.</translation>
    </message>
    <message>
        <source>You</source>
        <translation>Du</translation>
    </message>
    <message>
        <source>{who} set the {field} to “{mine}”.</source>
        <translation>{who} ändrade {field} till ”{mine}”.</translation>
    </message>
    <message>
        <source>Meanwhile it became “{theirs}”: {reason}.</source>
        <translation>Under tiden blev det ”{theirs}”: {reason}.</translation>
    </message>
    <message>
        <source>Now standing: “{standing}”.</source>
        <translation>Gäller nu: ”{standing}”.</translation>
    </message>
    <message>
        <source>Keeping “{mine}” is not yours to do: {why}. Press Seen to acknowledge.</source>
        <translation>Att behålla ”{mine}” är inte ditt beslut: {why}. Tryck Sett för att kvittera.</translation>
    </message>
    <message>
        <source>Your decision is waiting to be sent.</source>
        <translation>Ditt beslut väntar på att skickas.</translation>
    </message>
    <message>
        <source>Seen, keep theirs</source>
        <translation>Sett, behåll deras</translation>
    </message>
    <message>
        <source>Keep mine: {why}</source>
        <translation>Behåll mitt: {why}</translation>
    </message>
    <message>
        <source>the office decides on proposed corrections: ask your supervisor</source>
        <translation>kontoret beslutar om föreslagna rättelser: fråga din arbetsledare</translation>
    </message>
    <message>
        <source>this is for dispatch to decide: ask your supervisor</source>
        <translation>detta beslutar arbetsfördelningen: fråga din arbetsledare</translation>
    </message>
    <message>
        <source>the ticket is {status}: it cannot change any more</source>
        <translation>ärendet är {status}: det kan inte längre ändras</translation>
    </message>
    <message>
        <source>the ticket is now with {holder}: ask your supervisor</source>
        <translation>ärendet ligger nu hos {holder}: fråga din arbetsledare</translation>
    </message>
    <message>
        <source>Conflicts</source>
        <translation>Konflikter</translation>
    </message>
    <message>
        <source>Keep mine</source>
        <translation>Behåll min</translation>
    </message>
    <message>
        <source>No conflicts. Everything you did is on the server or on its way.</source>
        <translation>Inga konflikter. Allt du gjort finns på servern eller är på väg dit.</translation>
    </message>
    <message>
        <source>Refused changes</source>
        <translation>Avvisade ändringar</translation>
    </message>
    <message>
        <source>Changes the server refused</source>
        <translation>Ändringar som servern avvisade</translation>
    </message>
    <message>
        <source>Ticket {ticket}: {what} was refused: {reason}</source>
        <translation>Uppdrag {ticket}: {what} avvisades: {reason}</translation>
    </message>
    <message>
        <source>Unassigned</source>
        <extracomment>Counts background builds of markers or pages; only the newest is applied. Seconds from starting the page load to the markers being on the map (last load). The page&apos;s own measure (ms from navigation start to markers on the map).
----------
The drag payload: JSON {&quot;ids&quot;: [ticket ids], &quot;from&quot;: crew code or null}. Statuses the crew is not yet working on; other open statuses are shown on the item. Most tickets a column lists (the most urgent first); nobody scrolls past this on a board. Tickets of the crew resolved today (last changed today while resolved). Open tickets beyond the column&apos;s limit (the least urgent), not listed. Column order: None (the unassigned queue) first, then the supervised crews. The board&apos;s open tickets for the map, most urgent first, at most MAX_MARKERS. The board&apos;s crews&apos; last shared positions, as labelled dots (crewpositions.crew_dots).
----------
The counts and medians, without ticket ids (sync.opscounts): those come on a tap.</extracomment>
        <translation>Ej tilldelade</translation>
    </message>
    <message>
        <source>Crew {crew}</source>
        <translation>Lag {crew}</translation>
    </message>
    <message>
        <source>{open} waiting · {overdue} overdue</source>
        <translation>{open} väntar · {overdue} försenade</translation>
    </message>
    <message>
        <source>{open} open · {overdue} overdue · {resolved} resolved today</source>
        <translation>{open} öppna · {overdue} försenade · {resolved} klara i dag</translation>
    </message>
    <message>
        <source>{n} more not shown</source>
        <translation>{n} till visas inte</translation>
    </message>
    <message>
        <source>⚑ ESCALATED</source>
        <translation>⚑ ESKALERAD</translation>
    </message>
    <message>
        <source>⧉ possible duplicate</source>
        <translation>⧉ möjlig dubblett</translation>
    </message>
    <message>
        <source>⚠ OVERDUE</source>
        <translation>⚠ FÖRSENAT</translation>
    </message>
    <message>
        <source>◷ due soon</source>
        <translation>◷ snart förfallet</translation>
    </message>
    <message>
        <source>⟳ not sent yet</source>
        <translation>⟳ inte skickat än</translation>
    </message>
    <message>
        <source>Due {time}</source>
        <translation>Förfaller {time}</translation>
    </message>
    <message>
        <source>No due time</source>
        <translation>Ingen tidsfrist</translation>
    </message>
    <message>
        <source>Unassigned tickets</source>
        <extracomment>(ticket ids, this column&apos;s crew) when tickets were dropped here. Enter or double-click on a ticket. A plain click or arrow key (no Ctrl/Shift): other columns should drop their selection.</extracomment>
        <translation>Ej tilldelade uppdrag</translation>
    </message>
    <message>
        <source>Tickets of crew {crew}</source>
        <translation>Lag {crew}s uppdrag</translation>
    </message>
    <message>
        <source>Changed on this device; not yet on the server</source>
        <extracomment>The list&apos;s due-time filters: what a crew asks for at the start of a shift. None, &quot;today&quot; (due before the end of today, late ones too) or &quot;overdue&quot;.</extracomment>
        <translation>Ändrat på den här enheten; ännu inte på servern</translation>
    </message>
    <message>
        <source>Workload of {column}</source>
        <translation>Arbetsbörda: {column}</translation>
    </message>
    <message>
        <source>Reassign tickets</source>
        <translation>Flytta uppdrag</translation>
    </message>
    <message>
        <source>Move the selected ticket to:</source>
        <translation>Flytta det valda uppdraget till:</translation>
    </message>
    <message>
        <source>Move {n} selected tickets to:</source>
        <translation>Flytta {n} valda uppdrag till:</translation>
    </message>
    <message>
        <source>Unassigned queue</source>
        <translation>Kön för ej tilldelade</translation>
    </message>
    <message>
        <source>Move back to the unassigned queue</source>
        <translation>Flytta tillbaka till kön för ej tilldelade</translation>
    </message>
    <message>
        <source>Crew {crew} ({open} open, {overdue} overdue)</source>
        <translation>Lag {crew} ({open} öppna, {overdue} försenade)</translation>
    </message>
    <message>
        <source>Reassign to crew {crew}</source>
        <translation>Flytta till lag {crew}</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Avbryt</translation>
    </message>
    <message>
        <source>Dispatch</source>
        <extracomment>Reassignments were queued locally (the window may start a sync). Double-click or Enter on a ticket.</extracomment>
        <translation>Arbetsfördelning</translation>
    </message>
    <message>
        <source>Selected tickets</source>
        <translation>Valda uppdrag</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>Uppdatera</translation>
    </message>
    <message>
        <source>Refresh the dispatch board</source>
        <translation>Uppdatera arbetsfördelningen</translation>
    </message>
    <message>
        <source>Map</source>
        <extracomment>Height of the ticket&apos;s map (device-independent pixels). Zoom of the ticket&apos;s map: a few streets round the site. A new reverse lookup only after moving this far.</extracomment>
        <translation>Karta</translation>
    </message>
    <message>
        <source>Show all tickets on a map, coloured by crew</source>
        <translation>Visa alla uppdrag på en karta, färgade efter lag</translation>
    </message>
    <message>
        <source>Operations</source>
        <translation>Lägesbild</translation>
    </message>
    <message>
        <source>Backlog, SLA risk, escalations and response times</source>
        <translation>Kö, SLA-risk, eskaleringar och svarstider</translation>
    </message>
    <message>
        <source>Reassign…</source>
        <translation>Flytta…</translation>
    </message>
    <message>
        <source>Reassign the selected tickets</source>
        <translation>Flytta de valda uppdragen</translation>
    </message>
    <message>
        <source>Move the selected tickets to another crew (Ctrl+M)</source>
        <translation>Flytta de valda uppdragen till ett annat lag (Ctrl+M)</translation>
    </message>
    <message>
        <source>Assign suggested</source>
        <translation>Tilldela föreslagna</translation>
    </message>
    <message>
        <source>Give each selected ticket to the crew suggested for it</source>
        <translation>Ge varje valt ärende till det arbetslag som föreslås för det</translation>
    </message>
    <message>
        <source>The nearest crew to the ticket, counting the work it already has; the reasons are shown</source>
        <translation>Närmaste arbetslag till ärendet, med hänsyn till det arbete det redan har; skälen visas</translation>
    </message>
    <message>
        <source>Suggested assignments</source>
        <extracomment>Where the last suggested assignments went, and why (until the next ones).</extracomment>
        <translation>Föreslagna tilldelningar</translation>
    </message>
    <message>
        <source>Drag tickets onto another column to reassign them, or select several and press Reassign.</source>
        <translation>Dra uppdrag till en annan kolumn för att flytta dem, eller välj flera och tryck på Flytta.</translation>
    </message>
    <message>
        <source>Dispatch columns</source>
        <translation>Arbetsfördelningens kolumner</translation>
    </message>
    <message>
        <source>Ticket {ticket}: {reason}</source>
        <translation>Uppdrag {ticket}: {reason}</translation>
    </message>
    <message>
        <source>One ticket could not be reassigned.</source>
        <translation>Ett uppdrag kunde inte flyttas.</translation>
    </message>
    <message>
        <source>{n} tickets could not be reassigned.</source>
        <translation>{n} uppdrag kunde inte flyttas.</translation>
    </message>
    <message>
        <source>The other tickets were reassigned.</source>
        <translation>De övriga uppdragen flyttades.</translation>
    </message>
    <message>
        <source>Map of the crews&apos; tickets</source>
        <translation>Lagens uppdrag på kartan</translation>
    </message>
    <message>
        <source>The dispatch board is for supervisors. Sign in as a supervisor to reassign tickets.</source>
        <translation>Arbetsfördelningen är för arbetsledare. Logga in som arbetsledare för att flytta uppdrag.</translation>
    </message>
    <message>
        <source>No tickets selected</source>
        <translation>Inga uppdrag valda</translation>
    </message>
    <message>
        <source>1 ticket selected</source>
        <translation>1 uppdrag valt</translation>
    </message>
    <message>
        <source>{n} tickets selected</source>
        <translation>{n} uppdrag valda</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Prioritet</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Nearest</source>
        <translation>Närmast</translation>
    </message>
    <message>
        <source>Due first</source>
        <translation>Förfaller först</translation>
    </message>
    <message>
        <source>Open</source>
        <extracomment>The filter chips: which tickets the list shows.</extracomment>
        <translation>Öppna</translation>
    </message>
    <message>
        <source>Today</source>
        <translation>I dag</translation>
    </message>
    <message>
        <source>Overdue</source>
        <translation>Försenade</translation>
    </message>
    <message>
        <source>All</source>
        <translation>Alla</translation>
    </message>
    <message>
        <source>Search address, description, ticket…</source>
        <extracomment>How long after the last touch a position may re-sort the list (nothing moves under a finger).</extracomment>
        <translation>Sök adress, beskrivning, uppdrag…</translation>
    </message>
    <message>
        <source>Search tickets</source>
        <translation>Sök uppdrag</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Visa</translation>
    </message>
    <message>
        <source>Sort by</source>
        <translation>Sortera efter</translation>
    </message>
    <message>
        <source>Order updated: nearest first</source>
        <extracomment>Says the order changed after the list was left alone (never while a finger is on it).</extracomment>
        <translation>Ordningen uppdaterad: närmast först</translation>
    </message>
    <message>
        <source>Show the map</source>
        <translation>Visa kartan</translation>
    </message>
    <message>
        <source>Service type</source>
        <translation>Tjänstetyp</translation>
    </message>
    <message>
        <source>All services</source>
        <extracomment>A position that arrived while the list was touched: applied once it is left alone.</extracomment>
        <translation>Alla tjänster</translation>
    </message>
    <message>
        <source>Tickets</source>
        <extracomment>Lines of text on a card.</extracomment>
        <translation>Uppdrag</translation>
    </message>
    <message>
        <source>{n} tickets</source>
        <translation>{n} uppdrag</translation>
    </message>
    <message>
        <source>the map shows the first {m:,}</source>
        <translation>kartan visar de första {m:,}</translation>
    </message>
    <message>
        <source>from {author}</source>
        <extracomment>Thumbnails of other devices&apos; photos, fetched once from the server and kept for offline use.</extracomment>
        <translation>från {author}</translation>
    </message>
    <message>
        <source>✗ upload failed: {reason}</source>
        <translation>✗ uppladdningen misslyckades: {reason}</translation>
    </message>
    <message>
        <source>✓ on the server</source>
        <translation>✓ på servern</translation>
    </message>
    <message>
        <source>⟳ checking on the server</source>
        <translation>⟳ kontrolleras på servern</translation>
    </message>
    <message>
        <source>⟳ uploading {percent}%</source>
        <translation>⟳ laddas upp {percent} %</translation>
    </message>
    <message>
        <source>⟳ waiting for sync</source>
        <translation>⟳ väntar på synkronisering</translation>
    </message>
    <message>
        <source>⟳ waiting to upload ({reason})</source>
        <translation>⟳ väntar på uppladdning ({reason})</translation>
    </message>
    <message>
        <source>⟳ waiting to upload</source>
        <translation>⟳ väntar på uppladdning</translation>
    </message>
    <message>
        <source>Add photos from files or a camera card</source>
        <translation>Lägg till foton från filer eller kamerans minneskort</translation>
    </message>
    <message>
        <source>Drop photos or folders here. Tap a failed upload to try again.</source>
        <translation>Släpp foton eller mappar här. Tryck på en misslyckad uppladdning för att försöka igen.</translation>
    </message>
    <message>
        <source>{kind} photo</source>
        <translation>{kind}-foto</translation>
    </message>
    <message>
        <source>No camera found on this device. Add the photo from files instead.</source>
        <extracomment>(file path, photo kind)</extracomment>
        <translation>Ingen kamera hittades på den här enheten. Lägg till fotot från filer i stället.</translation>
    </message>
    <message>
        <source>Take photo</source>
        <translation>Ta foto</translation>
    </message>
    <message>
        <source>From files…</source>
        <translation>Från filer…</translation>
    </message>
    <message>
        <source>Add the photo from files</source>
        <translation>Lägg till fotot från filer</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Klar</translation>
    </message>
    <message>
        <source>Back to the ticket</source>
        <translation>Tillbaka till ärendet</translation>
    </message>
    <message>
        <source>Other folder…</source>
        <extracomment>(chosen files, photo kind)</extracomment>
        <translation>Annan mapp…</translation>
    </message>
    <message>
        <source>Pick pictures from another folder or a camera card</source>
        <translation>Välj bilder från en annan mapp eller kamerans minneskort</translation>
    </message>
    <message>
        <source>Pictures</source>
        <translation>Bilder</translation>
    </message>
    <message>
        <source>Add</source>
        <translation>Lägg till</translation>
    </message>
    <message>
        <source>Back without adding photos</source>
        <translation>Tillbaka utan att lägga till foton</translation>
    </message>
    <message>
        <source>This folder cannot be read: {reason}</source>
        <translation>Mappen kan inte läsas: {reason}</translation>
    </message>
    <message>
        <source>No pictures in this folder.</source>
        <translation>Inga bilder i den här mappen.</translation>
    </message>
    <message>
        <source>Add {n} photo(s)</source>
        <translation>Lägg till {n} foto(n)</translation>
    </message>
    <message>
        <source>Pick a folder or camera card</source>
        <translation>Välj en mapp eller kamerans minneskort</translation>
    </message>
    <message>
        <source>Caption (optional)</source>
        <extracomment>Photos were attached (queued on this device); the window starts a sync. (photo kind, how many) after photos were attached. The crew wants the camera panel / the picture picker, with this photo kind chosen. Where the device is now (sync.wire.Position as a dict), for photos without EXIF GPS.</extracomment>
        <translation>Bildtext (valfri)</translation>
    </message>
    <message>
        <source>Photo caption</source>
        <translation>Bildtext</translation>
    </message>
    <message>
        <source>Reporter may see it</source>
        <translation>Anmälaren får se den</translation>
    </message>
    <message>
        <source>Remove originals from this device once the server has them</source>
        <translation>Ta bort originalen från enheten när servern har dem</translation>
    </message>
    <message>
        <source>Photo messages</source>
        <translation>Fotomeddelanden</translation>
    </message>
    <message>
        <source>{kind} photos</source>
        <translation>Foton: {kind}</translation>
    </message>
    <message>
        <source> · not for the reporter</source>
        <translation> · inte för anmälaren</translation>
    </message>
    <message>
        <source>no photos found there</source>
        <translation>inga foton hittades där</translation>
    </message>
    <message>
        <source>{n} photo(s) added; they upload in the background.</source>
        <translation>{n} foton tillagda; de laddas upp i bakgrunden.</translation>
    </message>
    <message>
        <source>Not added: {reason}</source>
        <translation>Inte tillagt: {reason}</translation>
    </message>
    <message>
        <source>Adding photos…</source>
        <translation>Lägger till foton…</translation>
    </message>
    <message>
        <source>Tile source</source>
        <translation>Källa för kartrutor</translation>
    </message>
    <message>
        <source>Margin round each ticket</source>
        <translation>Marginal runt varje uppdrag</translation>
    </message>
    <message>
        <source> m</source>
        <translation> m</translation>
    </message>
    <message>
        <source>Lowest zoom</source>
        <translation>Lägsta zoomnivå</translation>
    </message>
    <message>
        <source>Highest zoom</source>
        <translation>Högsta zoomnivå</translation>
    </message>
    <message>
        <source>Storage budget</source>
        <translation>Högst lagringsutrymme</translation>
    </message>
    <message>
        <source> MB</source>
        <translation> MB</translation>
    </message>
    <message>
        <source>Refresh old tiles by themselves when online</source>
        <translation>Uppdatera gamla kartrutor automatiskt vid anslutning</translation>
    </message>
    <message>
        <source>Working out the area…</source>
        <translation>Beräknar området…</translation>
    </message>
    <message>
        <source>Download size</source>
        <translation>Nedladdningens storlek</translation>
    </message>
    <message>
        <source>Download progress</source>
        <translation>Nedladdningens förlopp</translation>
    </message>
    <message>
        <source>Download status</source>
        <translation>Nedladdningens status</translation>
    </message>
    <message>
        <source>Download</source>
        <translation>Ladda ner</translation>
    </message>
    <message>
        <source>Cancel download</source>
        <translation>Avbryt nedladdningen</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Fortsätt</translation>
    </message>
    <message>
        <source>Refresh old tiles</source>
        <translation>Uppdatera gamla kartrutor</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Stäng</translation>
    </message>
    <message>
        <source>Area round each ticket</source>
        <translation>Området runt varje uppdrag</translation>
    </message>
    <message>
        <source>to</source>
        <translation>till</translation>
    </message>
    <message>
        <source>Zoom levels</source>
        <translation>Zoomnivåer</translation>
    </message>
    <message>
        <source>Tile URL {z}/{x}/{y}</source>
        <translation>URL för kartrutor {z}/{x}/{y}</translation>
    </message>
    <message>
        <source>No open tickets with a location: nothing to download.</source>
        <translation>Inga öppna uppdrag med plats: inget att ladda ner.</translation>
    </message>
    <message>
        <source>{n} tiles (zoom {low}-{high}), about {mb} MB to download</source>
        <translation>{n} kartrutor (zoom {low}–{high}), cirka {mb} MB att ladda ner</translation>
    </message>
    <message>
        <source>zoom {levels} left out to stay within the storage budget</source>
        <translation>zoomnivåerna {levels} utelämnade för att hålla lagringsutrymmet</translation>
    </message>
    <message>
        <source>{n} already on this device</source>
        <translation>{n} finns redan på enheten</translation>
    </message>
    <message>
        <source>Stopping after the current tile…</source>
        <translation>Stoppar efter den aktuella kartrutan…</translation>
    </message>
    <message>
        <source>Downloading…</source>
        <translation>Laddar ner…</translation>
    </message>
    <message>
        <source>{done} of {total} tiles · {mb:.1f} MB downloaded</source>
        <translation>{done} av {total} kartrutor · {mb:.1f} MB nedladdat</translation>
    </message>
    <message>
        <source>{u} not available from the source</source>
        <translation>{u} finns inte hos källan</translation>
    </message>
    <message>
        <source>The map for your work is on this device.</source>
        <translation>Kartan för dina uppdrag finns på enheten.</translation>
    </message>
    <message>
        <source>Downloaded, but {n} tiles are missing at the source.</source>
        <translation>Nedladdat, men {n} kartrutor saknas hos källan.</translation>
    </message>
    <message>
        <source>Download cancelled. Resume continues where it stopped.</source>
        <translation>Nedladdningen avbröts. Fortsätt fortsätter där den stannade.</translation>
    </message>
    <message>
        <source>The storage budget is full; raise it or choose fewer zoom levels.</source>
        <translation>Lagringsutrymmet är fullt; höj gränsen eller välj färre zoomnivåer.</translation>
    </message>
    <message>
        <source>The download stopped: {why}</source>
        <translation>Nedladdningen stoppades: {why}</translation>
    </message>
    <message>
        <source>{n} tiles downloaded, {m} renewed, {k} already here.</source>
        <translation>{n} kartrutor nedladdade, {m} förnyade, {k} fanns redan.</translation>
    </message>
    <message>
        <source>{n} tiles downloaded, {u} not available from the source, {m} renewed, {k} already here.</source>
        <translation>{n} kartrutor hämtade, {u} finns inte hos källan, {m} förnyade, {k} fanns redan.</translation>
    </message>
    <message>
        <source>On: my supervisor sees where this device is</source>
        <extracomment>The theme&apos;s name, after it was applied. The language choice (&quot;system&quot;, fi, sv, en), after it was installed. Position sharing was turned on or off (stored; the next sync tells the server). The device&apos;s replica, where position sharing is kept (it exists once signed in).</extracomment>
        <translation>På: min arbetsledare ser var denna enhet är</translation>
    </message>
    <message>
        <source>Off: my position is not shared</source>
        <translation>Av: min position delas inte</translation>
    </message>
    <message>
        <source>← Back</source>
        <translation>← Tillbaka</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Tillbaka</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>Tema</translation>
    </message>
    <message>
        <source>Sunlight</source>
        <translation>Solljus</translation>
    </message>
    <message>
        <source>Black on white, for reading outdoors</source>
        <translation>Svart på vitt, för läsning utomhus</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>Mörkt</translation>
    </message>
    <message>
        <source>Light on black, for night shifts</source>
        <translation>Ljust på svart, för nattskift</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Språk</translation>
    </message>
    <message>
        <source>These choices are kept on this device, also after signing out.</source>
        <translation>Valen sparas på den här enheten, även efter utloggning.</translation>
    </message>
    <message>
        <source>Share my position</source>
        <translation>Dela min position</translation>
    </message>
    <message>
        <source>While on, each sync sends this device&apos;s last position to the server; only your crew&apos;s supervisors see it. Turning it off removes it from the server at the next sync.</source>
        <translation>När delningen är på skickar varje synkronisering enhetens senaste position till servern; bara ditt lags arbetsledare ser den. När du stänger av den tas positionen bort från servern vid nästa synkronisering.</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>Serverns adress</translation>
    </message>
    <message>
        <source>User name</source>
        <translation>Användarnamn</translation>
    </message>
    <message>
        <source>Password</source>
        <translation>Lösenord</translation>
    </message>
    <message>
        <source>Sign-in problem</source>
        <translation>Inloggningsproblem</translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation>Logga in</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>Server</translation>
    </message>
    <message>
        <source>User</source>
        <translation>Användare</translation>
    </message>
    <message>
        <source>Fill in the server, your user name and your password.</source>
        <translation>Fyll i servern, ditt användarnamn och ditt lösenord.</translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation>Loggar in…</translation>
    </message>
    <message>
        <source>never</source>
        <extracomment>The theme role (fieldapp.theme stylesheet) of the connection word per phase. How much larger the connection word is when something is wrong.</extracomment>
        <translation>aldrig</translation>
    </message>
    <message>
        <source>Sync status</source>
        <translation>Synkroniseringsstatus</translation>
    </message>
    <message>
        <source>Connection</source>
        <translation>Anslutning</translation>
    </message>
    <message>
        <source>Changes not yet sent</source>
        <translation>Ändringar som inte skickats</translation>
    </message>
    <message>
        <source>Last successful sync</source>
        <translation>Senaste lyckade synkronisering</translation>
    </message>
    <message>
        <source>Escalated tickets</source>
        <translation>Eskalerade ärenden</translation>
    </message>
    <message>
        <source>Sync progress</source>
        <translation>Synkroniseringens förlopp</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>Synkronisera nu</translation>
    </message>
    <message>
        <source>{n} to send</source>
        <translation>{n} att skicka</translation>
    </message>
    <message>
        <source>Last sync {time}</source>
        <translation>Senast synkroniserad {time}</translation>
    </message>
    <message>
        <source>{n} conflicts</source>
        <translation>{n} konflikter</translation>
    </message>
    <message>
        <source>{n} escalated</source>
        <translation>{n} eskalerade</translation>
    </message>
    <message>
        <source>Sending %v / %m</source>
        <translation>Skickar %v / %m</translation>
    </message>
    <message>
        <source>Receiving</source>
        <translation>Tar emot</translation>
    </message>
    <message>
        <source>Ticket location</source>
        <extracomment>The latest fix: (lat, lon, accuracy in metres or NaN, when).</extracomment>
        <translation>Uppdragets plats</translation>
    </message>
    <message>
        <source>Way to the site</source>
        <translation>Vägen till platsen</translation>
    </message>
    <message>
        <source>Where you are</source>
        <translation>Var du är</translation>
    </message>
    <message>
        <source>No location on this ticket</source>
        <translation>Uppdraget har ingen plats</translation>
    </message>
    <message>
        <source>Location {lat:.5f}, {lon:.5f}</source>
        <translation>Plats {lat:.5f}, {lon:.5f}</translation>
    </message>
    <message>
        <source>You are at the site ({distance})</source>
        <translation>Du är på platsen ({distance})</translation>
    </message>
    <message>
        <source>The site is {distance} {direction} of you</source>
        <translation>Platsen ligger {distance} {direction} om dig</translation>
    </message>
    <message>
        <source>You are at {lat:.5f}, {lon:.5f}</source>
        <translation>Du är vid {lat:.5f}, {lon:.5f}</translation>
    </message>
    <message>
        <source>You are near {address}</source>
        <translation>Du är nära {address}</translation>
    </message>
    <message>
        <source>You are at the site — mark it In progress?</source>
        <translation>Du är på platsen — markera som Pågår?</translation>
    </message>
    <message>
        <source>On site</source>
        <translation>På plats</translation>
    </message>
    <message>
        <source>Start work</source>
        <translation>Börja arbeta</translation>
    </message>
    <message>
        <source>Mark the ticket In progress</source>
        <translation>Markera uppdraget som Pågår</translation>
    </message>
    <message>
        <source>Not now</source>
        <translation>Inte nu</translation>
    </message>
    <message>
        <source>Resolve ticket</source>
        <extracomment>Buttons per row in the outcome and reason grids (two fit a portrait tablet with long words). (resolution code, outcome note)</extracomment>
        <translation>Markera uppdraget som åtgärdat</translation>
    </message>
    <message>
        <source>Take after photo</source>
        <translation>Ta efter-foto</translation>
    </message>
    <message>
        <source>Add the after photo from files</source>
        <translation>Lägg till efter-fotot från filer</translation>
    </message>
    <message>
        <source>Skip</source>
        <translation>Hoppa över</translation>
    </message>
    <message>
        <source>Resolve without an after photo</source>
        <translation>Åtgärda utan efter-foto</translation>
    </message>
    <message>
        <source>What was done (the reporter reads this)</source>
        <translation>Vad som gjordes (anmälaren läser detta)</translation>
    </message>
    <message>
        <source>Outcome note</source>
        <translation>Beskrivning av resultatet</translation>
    </message>
    <message>
        <source>Resolve: {outcome}</source>
        <translation>Åtgärda: {outcome}</translation>
    </message>
    <message>
        <source>Back to the ticket without resolving</source>
        <translation>Tillbaka till ärendet utan att åtgärda</translation>
    </message>
    <message>
        <source>Outcome: tap one to resolve</source>
        <translation>Resultat: tryck på ett för att åtgärda</translation>
    </message>
    <message>
        <source>No camera found on this device</source>
        <translation>Ingen kamera hittades på den här enheten</translation>
    </message>
    <message>
        <source>There is a before photo. Add an after photo?</source>
        <translation>Det finns ett före-foto. Lägga till ett efter-foto?</translation>
    </message>
    <message>
        <source>There is a before photo. No camera here: add the after photo from files?</source>
        <translation>Det finns ett före-foto. Ingen kamera här: lägga till efter-fotot från filer?</translation>
    </message>
    <message>
        <source>✓ After photo added. Choose the outcome.</source>
        <translation>✓ Efter-foto tillagt. Välj resultatet.</translation>
    </message>
    <message>
        <source>Put on hold</source>
        <extracomment>The note&apos;s text: the reason&apos;s words, and what the crew wrote.</extracomment>
        <translation>Sätt att vänta</translation>
    </message>
    <message>
        <source>Other reason</source>
        <translation>Annat skäl</translation>
    </message>
    <message>
        <source>Note (optional)</source>
        <translation>Anteckning (valfri)</translation>
    </message>
    <message>
        <source>Hold note</source>
        <translation>Anteckning om väntan</translation>
    </message>
    <message>
        <source>Back to the ticket without putting it on hold</source>
        <translation>Tillbaka till ärendet utan att sätta det att vänta</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Skäl</translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation>Resultat</translation>
    </message>
    <message>
        <source>En route</source>
        <extracomment>What each move is called on its button.</extracomment>
        <translation>På väg</translation>
    </message>
    <message>
        <source>On hold…</source>
        <translation>Väntar…</translation>
    </message>
    <message>
        <source>Resolve…</source>
        <translation>Åtgärda…</translation>
    </message>
    <message>
        <source>Cancel ticket</source>
        <translation>Annullera uppdraget</translation>
    </message>
    <message>
        <source>Back to assigned</source>
        <translation>Tillbaka till tilldelad</translation>
    </message>
    <message>
        <source>Service</source>
        <translation>Tjänst</translation>
    </message>
    <message>
        <source>Due</source>
        <translation>Tidsfrist</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adress</translation>
    </message>
    <message>
        <source>Crew</source>
        <translation>Lag</translation>
    </message>
    <message>
        <source>⚑ Escalated: nobody was acting on it by its escalation time (due {due})</source>
        <translation>⚑ Eskalerad: ingen hade tagit sig an ärendet före eskaleringstiden (förfaller {due})</translation>
    </message>
    <message>
        <source>⧉ Possible duplicate: a new report of the same service close by</source>
        <translation>⧉ Möjlig dubblett: en ny anmälan om samma tjänst i närheten</translation>
    </message>
    <message>
        <source>⧉ Another report of the same problem was merged into this ticket</source>
        <translation>⧉ En annan anmälan om samma problem slogs ihop med detta ärende</translation>
    </message>
    <message>
        <source>↺ Reopened: the reporter says it is not fixed: “{words}”</source>
        <translation>↺ Öppnad igen: anmälaren säger att det inte är åtgärdat: “{words}”</translation>
    </message>
    <message>
        <source>↺ The reporter says it is not fixed: new ticket {ticket}</source>
        <translation>↺ Anmälaren säger att det inte är åtgärdat: nytt ärende {ticket}</translation>
    </message>
    <message>
        <source>← My work</source>
        <extracomment>The pages between header and action bar, by name (also `MainWindow.prepare_screenshot`&apos;s panels). A horizontal move this long (px) and mostly sideways is a swipe. Two columns of details from this width on (landscape tablets). The user changed something (queued locally); the window starts a sync.</extracomment>
        <translation>← Mina uppdrag</translation>
    </message>
    <message>
        <source>Back to the list</source>
        <translation>Tillbaka till listan</translation>
    </message>
    <message>
        <source>Ticket</source>
        <translation>Uppdrag</translation>
    </message>
    <message>
        <source>Description</source>
        <translation>Beskrivning</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>Anteckningar</translation>
    </message>
    <message>
        <source>Write a note…</source>
        <translation>Skriv en anteckning…</translation>
    </message>
    <message>
        <source>New note</source>
        <translation>Ny anteckning</translation>
    </message>
    <message>
        <source>Add note</source>
        <translation>Lägg till anteckning</translation>
    </message>
    <message>
        <source>History</source>
        <translation>Historik</translation>
    </message>
    <message>
        <source>Photos</source>
        <translation>Foton</translation>
    </message>
    <message>
        <source>⟳ {n} change(s) not yet on the server</source>
        <translation>⟳ {n} ändring(ar) ännu inte på servern</translation>
    </message>
    <message>
        <source>No notes yet.</source>
        <translation>Inga anteckningar ännu.</translation>
    </message>
    <message>
        <source>Tick the checklist before resolving: {items}</source>
        <translation>Bocka av checklistan innan du löser: {items}</translation>
    </message>
    <message>
        <source>unassigned</source>
        <translation>ej tilldelad</translation>
    </message>
    <message>
        <source>Why is the work on hold?</source>
        <translation>Varför väntar arbetet?</translation>
    </message>
    <message>
        <source>On hold: {reason}</source>
        <translation>Väntar: {reason}</translation>
    </message>
    <message>
        <source>Distance</source>
        <translation>Avstånd</translation>
    </message>
    <message>
        <source>{n} min</source>
        <extracomment>A ticket due within this time is &quot;at risk&quot;.</extracomment>
        <translation>{n} min</translation>
    </message>
    <message>
        <source>no data</source>
        <translation>inga data</translation>
    </message>
    <message>
        <source>{n} h</source>
        <translation>{n} h</translation>
    </message>
    <message>
        <source>under 1 d</source>
        <translation>under 1 d</translation>
    </message>
    <message>
        <source>1–3 d</source>
        <translation>1–3 d</translation>
    </message>
    <message>
        <source>3–7 d</source>
        <translation>3–7 d</translation>
    </message>
    <message>
        <source>over 7 d</source>
        <translation>över 7 d</translation>
    </message>
    <message>
        <source>How fresh the figures are</source>
        <extracomment>A ticket in the list was tapped. New figures are on screen.</extracomment>
        <translation>Hur färska siffrorna är</translation>
    </message>
    <message>
        <source>Compute the figures again</source>
        <translation>Räkna om siffrorna</translation>
    </message>
    <message>
        <source>Tap a figure to see its tickets.</source>
        <translation>Tryck på en siffra för att se dess ärenden.</translation>
    </message>
    <message>
        <source>Tickets behind the figure</source>
        <translation>Ärendena bakom siffran</translation>
    </message>
    <message>
        <source>{what}: {n} tickets</source>
        <translation>{what}: {n} ärenden</translation>
    </message>
    <message>
        <source>As of the last sync, {time}: changes since then are not counted.</source>
        <translation>Enligt senaste synkroniseringen ({time}): ändringar efter den räknas inte.</translation>
    </message>
    <message>
        <source>Not synced yet: the figures show only what is on this device.</source>
        <translation>Inte synkroniserad ännu: siffrorna visar bara det som finns på enheten.</translation>
    </message>
    <message>
        <source>Open: {n}</source>
        <translation>Öppna: {n}</translation>
    </message>
    <message>
        <source>Due within 2 h: {n}</source>
        <translation>Förfaller inom 2 h: {n}</translation>
    </message>
    <message>
        <source>Overdue: {n}</source>
        <translation>Försenade: {n}</translation>
    </message>
    <message>
        <source>Escalated: {n}</source>
        <translation>Eskalerade: {n}</translation>
    </message>
    <message>
        <source>First response ({window}): {time}</source>
        <translation>Första insats ({window}): {time}</translation>
    </message>
    <message>
        <source>Resolution ({window}): {time}</source>
        <translation>Åtgärdstid ({window}): {time}</translation>
    </message>
    <message>
        <source>{crew}: {n} open ({ages})</source>
        <translation>{crew}: {n} öppna ({ages})</translation>
    </message>
    <message>
        <source>oldest {age}</source>
        <translation>äldsta {age}</translation>
    </message>
    <message>
        <source>{service}: {n} open ({ages})</source>
        <translation>{service}: {n} öppna ({ages})</translation>
    </message>
    <message>
        <source>{service}: {reopened} of {n} reopened ({percent} %)</source>
        <translation>{service}: {reopened} av {n} återöppnade ({percent} %)</translation>
    </message>
    <message>
        <source>{n} d</source>
        <translation>{n} d</translation>
    </message>
    <message>
        <source>overdue {amount}</source>
        <translation>försenat {amount}</translation>
    </message>
    <message>
        <source>due in {amount}</source>
        <translation>förfaller om {amount}</translation>
    </message>
    <message>
        <source>{time} OVERDUE</source>
        <translation>{time} FÖRSENAT</translation>
    </message>
    <message>
        <source>{time} soon</source>
        <translation>{time} snart</translation>
    </message>
    <message>
        <source>Map of tickets</source>
        <extracomment>Schemes that never reach a network: the page&apos;s own files and the tile scheme. How often (seconds) a missing tile may trigger a rescan of the tile folders. How often the use of cache tiles is written back (for the cache&apos;s LRU eviction). True while tiles of the visible area are missing (the page shows the banner).</extracomment>
        <translation>Uppdragen på kartan</translation>
    </message>
    <message>
        <source>no crew to suggest</source>
        <extracomment>The next best crews, for the reason in words. Whether the ticket was with that crew already (nothing queued).</extracomment>
        <translation>inget arbetslag att föreslå</translation>
    </message>
    <message>
        <source>no open tickets yet</source>
        <translation>inga öppna ärenden ännu</translation>
    </message>
    <message>
        <source>{km} km from its last reported position</source>
        <translation>{km} km från dess senast rapporterade position</translation>
    </message>
    <message>
        <source>{km} km from its nearest open ticket</source>
        <translation>{km} km från dess närmaste öppna ärende</translation>
    </message>
    <message>
        <source>{n} open (about {hours} h of work)</source>
        <translation>{n} öppna (cirka {hours} h arbete)</translation>
    </message>
    <message>
        <source>{address}: stays with crew {crew}: {why}</source>
        <translation>{address}: stannar hos arbetslag {crew}: {why}</translation>
    </message>
    <message>
        <source>{address} → crew {crew}: {why}</source>
        <translation>{address} → arbetslag {crew}: {why}</translation>
    </message>
    <message>
        <source>(next: crew {crew}, {why})</source>
        <translation>(näst: arbetslag {crew}, {why})</translation>
    </message>
    <message>
        <source>Possible duplicates</source>
        <extracomment>Width of each photo in a pair: two side by side fit a portrait tablet. The photos (before first) of this ticket and of the other; None when there is none here. Whether this device holds the other ticket at all. Merge the shown ticket into this one (the other ticket&apos;s id).</extracomment>
        <translation>Möjliga dubbletter</translation>
    </message>
    <message>
        <source>Merged</source>
        <translation>Sammanslagen</translation>
    </message>
    <message>
        <source>This report was merged into another ticket of the same problem.</source>
        <translation>Denna anmälan slogs ihop med ett annat ärende om samma problem.</translation>
    </message>
    <message>
        <source>{address}, {metres} m away, same service</source>
        <translation>{address}, {metres} m bort, samma tjänst</translation>
    </message>
    <message>
        <source>This report</source>
        <translation>Denna anmälan</translation>
    </message>
    <message>
        <source>No photo yet</source>
        <translation>Inget foto ännu</translation>
    </message>
    <message>
        <source>That ticket is not on this device</source>
        <translation>Det ärendet finns inte på denna enhet</translation>
    </message>
    <message>
        <source>The other report</source>
        <translation>Den andra anmälan</translation>
    </message>
    <message>
        <source>Mark this ticket as a duplicate of it</source>
        <translation>Markera detta ärende som dubblett av det</translation>
    </message>
    <message>
        <source>Work record</source>
        <extracomment>Minutes one tap on − or + corrects a time by. Quantity one tap adds, by unit (one of anything else). The fields of a work record to queue (sync.workrecord.WorkRecordValue).</extracomment>
        <translation>Arbetslogg</translation>
    </message>
    <message>
        <source>Travel</source>
        <translation>Resa</translation>
    </message>
    <message>
        <source>{what}: {minutes} minutes less</source>
        <translation>{what}: {minutes} minuter mindre</translation>
    </message>
    <message>
        <source>{what}: {minutes} minutes more</source>
        <translation>{what}: {minutes} minuter mer</translation>
    </message>
    <message>
        <source>One less: {name}</source>
        <translation>En mindre: {name}</translation>
    </message>
    <message>
        <source>One more: {name}</source>
        <translation>En till: {name}</translation>
    </message>
    <message>
        <source>{minutes} min</source>
        <translation>{minutes} min</translation>
    </message>
    <message>
        <source> (required)</source>
        <translation> (obligatorisk)</translation>
    </message>
    <message>
        <source>time unknown</source>
        <translation>tid okänd</translation>
    </message>
    <message>
        <source>just now</source>
        <translation>just nu</translation>
    </message>
    <message>
        <source>{n} min ago</source>
        <translation>för {n} min sedan</translation>
    </message>
    <message>
        <source>{n} h ago</source>
        <translation>för {n} h sedan</translation>
    </message>
    <message>
        <source>{n} days ago</source>
        <translation>för {n} dagar sedan</translation>
    </message>
</context>
<context>
    <name>labels</name>
    <message>
        <source>Pothole</source>
        <translation>Grop i körbanan</translation>
    </message>
    <message>
        <source>Damaged sidewalk or curb</source>
        <translation>Skadad trottoar eller kantsten</translation>
    </message>
    <message>
        <source>Street light out</source>
        <translation>Gatubelysningen lyser inte</translation>
    </message>
    <message>
        <source>Traffic signal fault</source>
        <translation>Fel i trafiksignal</translation>
    </message>
    <message>
        <source>Damaged or missing sign</source>
        <translation>Skadad eller saknad skylt</translation>
    </message>
    <message>
        <source>Graffiti</source>
        <translation>Klotter</translation>
    </message>
    <message>
        <source>Illegal dumping</source>
        <translation>Olaglig dumpning av avfall</translation>
    </message>
    <message>
        <source>Overflowing litter bin</source>
        <translation>Överfull papperskorg</translation>
    </message>
    <message>
        <source>Fallen tree or branch</source>
        <translation>Nedfallet träd eller gren</translation>
    </message>
    <message>
        <source>Park furniture damage</source>
        <translation>Skadad parkmöblering</translation>
    </message>
    <message>
        <source>Water leak in street</source>
        <translation>Vattenläcka i gatan</translation>
    </message>
    <message>
        <source>Blocked storm drain</source>
        <translation>Igensatt dagvattenbrunn</translation>
    </message>
    <message>
        <source>Snow or ice on walkway</source>
        <translation>Snö eller is på gångbanan</translation>
    </message>
    <message>
        <source>Abandoned bicycle</source>
        <translation>Övergiven cykel</translation>
    </message>
    <message>
        <source>New</source>
        <translation>Ny</translation>
    </message>
    <message>
        <source>Assigned</source>
        <translation>Tilldelad</translation>
    </message>
    <message>
        <source>En route</source>
        <translation>På väg</translation>
    </message>
    <message>
        <source>In progress</source>
        <translation>Pågår</translation>
    </message>
    <message>
        <source>On hold</source>
        <translation>Väntar</translation>
    </message>
    <message>
        <source>Resolved</source>
        <translation>Åtgärdad</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>Stängd</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>Annullerad</translation>
    </message>
    <message>
        <source>Fixed</source>
        <extracomment>Resolution codes (`sync.workflow.RESOLUTION_CODES`).</extracomment>
        <translation>Reparerad</translation>
    </message>
    <message>
        <source>Temporary fix</source>
        <translation>Tillfällig reparation</translation>
    </message>
    <message>
        <source>Nothing found on site</source>
        <translation>Inget fel hittades på platsen</translation>
    </message>
    <message>
        <source>Duplicate</source>
        <translation>Dubblett</translation>
    </message>
    <message>
        <source>Referred elsewhere</source>
        <translation>Hänvisad vidare</translation>
    </message>
    <message>
        <source>No action needed</source>
        <translation>Ingen åtgärd behövs</translation>
    </message>
    <message>
        <source>Waiting for parts or material</source>
        <extracomment>Why work is on hold; the reason&apos;s words go into the ticket&apos;s note.</extracomment>
        <translation>Väntar på delar eller material</translation>
    </message>
    <message>
        <source>No access to the site</source>
        <translation>Ingen åtkomst till platsen</translation>
    </message>
    <message>
        <source>Weather</source>
        <translation>Väder</translation>
    </message>
    <message>
        <source>Needs another crew or contractor</source>
        <translation>Kräver ett annat lag eller en entreprenör</translation>
    </message>
    <message>
        <source>Unsafe to work</source>
        <translation>Inte säkert att arbeta</translation>
    </message>
    <message>
        <source>Other…</source>
        <translation>Annat…</translation>
    </message>
    <message>
        <source>crew</source>
        <translation>arbetslag</translation>
    </message>
    <message>
        <source>supervisor</source>
        <translation>arbetsledare</translation>
    </message>
    <message>
        <source>admin</source>
        <translation>administratör</translation>
    </message>
    <message>
        <source>status</source>
        <extracomment>A ticket&apos;s fields, as conflicts and the history name them.</extracomment>
        <translation>status</translation>
    </message>
    <message>
        <source>priority</source>
        <translation>prioritet</translation>
    </message>
    <message>
        <source>assigned crew</source>
        <translation>ansvarigt lag</translation>
    </message>
    <message>
        <source>due time</source>
        <translation>tidsfrist</translation>
    </message>
    <message>
        <source>address</source>
        <translation>adress</translation>
    </message>
    <message>
        <source>description</source>
        <translation>beskrivning</translation>
    </message>
    <message>
        <source>location</source>
        <translation>plats</translation>
    </message>
    <message>
        <source>service type</source>
        <translation>tjänstetyp</translation>
    </message>
    <message>
        <source>outcome</source>
        <translation>resultat</translation>
    </message>
    <message>
        <source>outcome note</source>
        <translation>anteckning om resultatet</translation>
    </message>
    <message>
        <source>created</source>
        <translation>skapad</translation>
    </message>
    <message>
        <source>duplicate of</source>
        <translation>dubblett av</translation>
    </message>
    <message>
        <source>Before</source>
        <translation>Före</translation>
    </message>
    <message>
        <source>After</source>
        <translation>Efter</translation>
    </message>
    <message>
        <source>Other</source>
        <translation>Övrigt</translation>
    </message>
</context>
</TS>
