<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="sv_SE">
<context>
    <name></name>
    <message>
        <source>Please sign in again: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No connection to the case server. Your work is kept and will be sent later.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Something went wrong: {error}. Your work is kept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Field app</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error message</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>System language</source>
        <extracomment>The languages the app speaks; English is built in (the source strings). What a user may choose: the system&apos;s language or one of ours. Each language&apos;s name in itself (never translated: a user looks for their own). The locale of a language when the system&apos;s own locale speaks another (Helsinki&apos;s first).</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Online</source>
        <extracomment>Strings that screens pass to ``tr()`` through a variable (a table of labels), written out here so lupdate sees them. Screens should prefer `fieldapp.labels` or literal ``tr(&quot;...&quot;)`` calls; this list is for the few tables that remain.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Syncing…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Offline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sync problem</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New tickets</source>
        <extracomment>Where maps find tiles: the profile&apos;s downloads first, then the shipped basemap.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Offline map…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download map for my work</source>
        <extracomment>Cache files being refreshed in the background (one refresh at a time each). New tiles are in the cache (the maps should look again).</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{pending} change(s) have not reached the server yet and {rejected} were refused. Signing out now deletes them from this device for good.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign out and discard them</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stay signed in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} new ticket(s) assigned since you last looked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>nothing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{who} set the {field} to “{mine}”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Meanwhile it became “{theirs}”: {reason}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Now standing: “{standing}”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Your decision is waiting to be sent.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Conflicts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep mine</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep theirs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No conflicts. Everything you did is on the server or on its way.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refused changes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Changes the server refused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ticket {ticket}: {what} was refused: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unassigned</source>
        <extracomment>The drag payload: JSON {&quot;ids&quot;: [ticket ids], &quot;from&quot;: crew code or null}. Statuses the crew is not yet working on; other open statuses are shown on the item. Most tickets a column lists (the most urgent first); nobody scrolls past this on a board. Tickets of the crew resolved today (last changed today while resolved). Open tickets beyond the column&apos;s limit (the least urgent), not listed. Column order: None (the unassigned queue) first, then the supervised crews. The board&apos;s open tickets for the map, most urgent first, at most MAX_MARKERS.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Crew {crew}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{open} waiting · {overdue} overdue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{open} open · {overdue} overdue · {resolved} resolved today</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} more not shown</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>⚠ OVERDUE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>◷ due soon</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>⟳ not sent yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Due {time}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No due time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unassigned tickets</source>
        <extracomment>(ticket ids, this column&apos;s crew) when tickets were dropped here. Enter or double-click on a ticket. A plain click or arrow key (no Ctrl/Shift): other columns should drop their selection.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tickets of crew {crew}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Changed on this device; not yet on the server</source>
        <extracomment>A ticket due within this time is &quot;at risk&quot;.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Workload of {column}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reassign tickets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Move the selected ticket to:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Move {n} selected tickets to:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unassigned queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Move back to the unassigned queue</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Crew {crew} ({open} open, {overdue} overdue)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reassign to crew {crew}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dispatch</source>
        <extracomment>Reassignments were queued locally (the window may start a sync). Double-click or Enter on a ticket.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Selected tickets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh the dispatch board</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Map</source>
        <extracomment>Height of the ticket&apos;s map (device-independent pixels). Zoom of the ticket&apos;s map: a few streets round the site. A new reverse lookup only after moving this far.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show all tickets on a map, coloured by crew</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reassign…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reassign the selected tickets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Move the selected tickets to another crew (Ctrl+M)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drag tickets onto another column to reassign them, or select several and press Reassign.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dispatch columns</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ticket {ticket}: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>One ticket could not be reassigned.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} tickets could not be reassigned.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The other tickets were reassigned.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Map of the crews&apos; tickets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The dispatch board is for supervisors. Sign in as a supervisor to reassign tickets.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No tickets selected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 ticket selected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} tickets selected</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search address, description, ticket…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search tickets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sort by</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Service type</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All services</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show the map beside the list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tickets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sort</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} tickets</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>the map shows the first {m:,}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>from {author}</source>
        <extracomment>Thumbnails of other devices&apos; photos, fetched once from the server and kept for offline use.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>✗ upload failed: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>✓ on the server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>⟳ checking on the server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>⟳ uploading {percent}%</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>⟳ waiting for sync</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>⟳ waiting to upload ({reason})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>⟳ waiting to upload</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Take photo</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Done</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Photo kind</source>
        <extracomment>Photos were attached (queued on this device); the window starts a sync. Where the device is now (sync.wire.Position as a dict), for photos without EXIF GPS.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Caption (optional)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Photo caption</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reporter may see it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Take photo…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add photos…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add folder…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add every photo of a folder or camera card</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove originals from this device once the server has them</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Photo messages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{kind} photos</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drop photos or folders here. Double-click a failed upload to try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No camera found on this device: add photos from files</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> · not for the reporter</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no photos found there</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} photo(s) added; they upload in the background.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not added: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Adding photos…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add photos</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Images (*.jpg *.jpeg *.png *.tif *.tiff *.webp *.bmp)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add every photo of a folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No camera found on this device: add photos from files.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tile source</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Margin round each ticket</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> m</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lowest zoom</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Highest zoom</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Storage budget</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> MB</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh old tiles by themselves when online</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Working out the area…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel download</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resume</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Refresh old tiles</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Area round each ticket</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Zoom levels</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Tile URL {z}/{x}/{y}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No open tickets with a location: nothing to download.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} already on this device</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopping after the current tile…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Downloading…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{done} of {total} tiles · {mb:.1f} MB downloaded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The map for your work is on this device.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Downloaded, but {n} tiles are missing at the source.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Download cancelled. Resume continues where it stopped.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The storage budget is full; raise it or choose fewer zoom levels.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The download stopped: {why}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} tiles downloaded, {m} renewed, {k} already here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>← Back</source>
        <extracomment>The theme&apos;s name, after it was applied. The language choice (&quot;system&quot;, fi, sv, en), after it was installed.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Back</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Theme</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sunlight</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Black on white, for reading outdoors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Dark</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Light on black, for night shifts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>These choices are kept on this device, also after signing out.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server address</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Password</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign-in problem</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sign in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>User</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fill in the server, your user name and your password.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Signing in…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>never</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sync status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connection</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Changes not yet sent</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last successful sync</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sync progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} to send</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last sync {time}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{n} conflicts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sending %v / %m</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Receiving</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ticket location</source>
        <extracomment>The latest fix: (lat, lon, accuracy in metres or NaN, when).</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Way to the site</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Where you are</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No location on this ticket</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Location {lat:.5f}, {lon:.5f}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You are at the site ({distance})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The site is {distance} {direction} of you</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You are at {lat:.5f}, {lon:.5f}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You are near {address}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>You are at the site — mark it In progress?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>On site</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start work</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mark the ticket In progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resolve ticket</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resolution code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resolution note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Outcome</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>← My work</source>
        <extracomment>The user changed something (queued locally); the window starts a sync.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Back to the list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ticket</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Description</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Notes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Write a note…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>History</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Photos</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No photos on this ticket.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>⟳ {n} change(s) on this device, not yet on the server</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unassigned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>On hold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Why is the work on hold?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>On hold: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{time} OVERDUE</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>{time} soon</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>labels</name>
    <message>
        <source>Pothole</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Damaged sidewalk or curb</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Street light out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Traffic signal fault</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Damaged or missing sign</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Graffiti</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Illegal dumping</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Overflowing litter bin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fallen tree or branch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Park furniture damage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Water leak in street</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Blocked storm drain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Snow or ice on walkway</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Abandoned bicycle</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Assigned</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>En route</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>In progress</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>On hold</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resolved</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Closed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Fixed</source>
        <extracomment>Resolution codes (`sync.workflow.RESOLUTION_CODES`).</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Temporary fix</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing found on site</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duplicate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Referred elsewhere</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No action needed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Waiting for parts or material</source>
        <extracomment>Why work is on hold; the reason&apos;s words go into the ticket&apos;s note.</extracomment>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No access to the site</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Weather</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Needs another crew or contractor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Unsafe to work</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Other…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>crew</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>supervisor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>admin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Before</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>After</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Other</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
