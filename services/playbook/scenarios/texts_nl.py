"""Dutch (and some English) mention texts for drills, written to read like real posts.

``{brand}`` is replaced by the drill's brand. Kept as data so a drill file can be rebuilt.
"""

from __future__ import annotations

# everyday chatter before anything happens: neutral, positive, ordinary service questions
BASELINE: tuple[str, ...] = (
    "Net mijn declaratie bij {brand} ingediend via de app, binnen 2 minuten geregeld 👍",
    "Weet iemand of {brand} fysiotherapie vergoedt in het aanvullende pakket?",
    "Eindelijk mijn zorgpas van {brand} binnen, nu nog onthouden waar ik hem laat",
    "Hoe lang duurt het gemiddeld voordat {brand} een declaratie uitbetaalt?",
    "Prima geholpen door de klantenservice van {brand} over mijn eigen risico",
    "Overstappen naar {brand} dit jaar of blijven zitten? Tips welkom",
    "De nieuwe app van {brand} is echt een stuk overzichtelijker geworden",
    "Vraagje: kan ik bij {brand} mijn betaaldatum van de premie aanpassen?",
    "Wachtmuziek van {brand} zit nu al de hele dag in mijn hoofd 🎶",
    "Wie heeft er ervaring met de tandartsverzekering van {brand}?",
    "{brand} vergoedt gewoon mijn bril, had ik niet verwacht. Top!",
    "Mijn adreswijziging doorgeven bij {brand} ging sneller dan bij de gemeente haha",
    "Iemand een idee waarom mijn machtiging bij {brand} twee keer in beeld staat?",
    "Chat van {brand} reageerde binnen een minuut, netjes",
    "Premie {brand} volgend jaar weer omhoog zie ik. Valt wel mee vergeleken met anderen",
    "Is {brand} ook bereikbaar op zaterdag? Kan het nergens vinden op de site",
    "Mooi initiatief van {brand} met die gratis leefstijlcoach",
    "Zorgbrief van {brand} gehad, moet ik daar nog iets mee?",
    "Bij {brand} je kinderen bijschrijven is echt in 5 minuten gedaan",
    "Heeft {brand} een vestiging in Utrecht of alleen online?",
    "Mijn moeder is heel tevreden over de wijkverpleging via {brand}",
    "Kan iemand bevestigen dat de app van {brand} nu ook met DigiD-app inlogt?",
    "Rekening van het ziekenhuis gewoon rechtstreeks door {brand} betaald. Fijn",
    "Weer een enquête van {brand} in mijn mail, jullie weten me te vinden 😅",
    "Goed artikel op de site van {brand} over de griepprik",
    "Duurt het bij {brand} ook zo lang voor een machtiging voor een MRI?",
    "Vandaag mijn eerste declaratie via {brand} gedaan, spannend",
    "Bij {brand} kun je blijkbaar ook je polis pauzeren als je lang naar het buitenland gaat",
    "Weet iemand het telefoonnummer van {brand} voor spoedzorg in het buitenland?",
    "De jaaropgave van {brand} staat online, handig voor de belastingaangifte",
    "Iemand die weet of {brand} anticonceptie vergoedt onder de 21?",
    "Goed geholpen bij de balie van {brand} in het ziekenhuis zelf, wist niet dat dat kon",
)

# the first public question, from journalists
JOURNALIST: tuple[str, ...] = (
    "Klopt het dat er bij {brand} klantgegevens op straat liggen? Ik krijg tips over een "
    "datalek met BSN-nummers en medische declaraties. Reactie {brand}? #datalek",
    "Bevestigd door twee bronnen: een bestand met gegevens van {brand}-klanten wordt op een "
    "forum te koop aangeboden. {brand} heeft nog niet gereageerd. Wordt vervolgd.",
    "Wij onderzoeken meldingen over een groot datalek bij zorgverzekeraar {brand}. Ben je klant "
    "en heb je een verdachte mail of sms gehad? Mijn DM staat open.",
)

# complaints are composed from an opener, a core and a closer (no two lines the same)
COMPLAINT_OPENERS: tuple[str, ...] = (
    "Serieus {brand}?",
    "Dit is toch niet normaal.",
    "Lees net over het datalek bij {brand}.",
    "Ik ben er echt klaar mee.",
    "Wat een schandaal weer.",
    "Hallo {brand}!",
    "Dus mijn gegevens liggen gewoon op straat?",
    "Niet te geloven.",
    "Zit al een uur in de wacht bij {brand}.",
    "En dan verwachten dat we premie blijven betalen.",
    "Vanochtend pas uit het nieuws gehoord.",
    "Mijn vertrouwen in {brand} is weg.",
    "Zo, dat komt hard binnen.",
    "Kan iemand van {brand} eens uitleggen wat hier aan de hand is?",
    "Net een rare mail gehad die van {brand} lijkt te komen.",
)
COMPLAINT_CORES: tuple[str, ...] = (
    "Jullie bewaren mijn BSN en medische gegevens en dan lekt het gewoon uit",
    "geen mail, geen sms, niks gehoord van {brand} over het datalek",
    "ik moet het van de krant horen in plaats van van mijn eigen verzekeraar",
    "mijn declaraties van de psycholoog staan er misschien tussen, dat is privé",
    "telefoon wordt niet opgenomen en de chat is 'tijdelijk niet beschikbaar'",
    "hoe kan een zorgverzekeraar zo slordig omgaan met persoonsgegevens",
    "er wordt al een phishingmail rondgestuurd met mijn naam en polisnummer erin",
    "op de website staat nog steeds alsof er niets aan de hand is",
    "mijn IBAN staat in dat bestand, straks wordt er van mijn rekening geschreven",
    "ik heb mijn hele gezin bij {brand} verzekerd, ook de kinderen",
    "wie is er verantwoordelijk en waarom duurt het zo lang voor er een reactie komt",
    "het lek zou al weken bekend zijn bij {brand}",
    "ik kreeg vanochtend een sms over een 'terugbetaling' met een link, dat kan geen toeval zijn",
    "jullie vragen om mijn medische gegevens maar kunnen ze niet beveiligen",
    "volgend jaar stap ik over, dit pik ik niet",
    "ik wil weten of mijn gegevens erbij zitten en niemand kan het me vertellen",
    "dit moet gemeld worden bij de Autoriteit Persoonsgegevens",
    "ik overweeg een klacht en desnoods een rechtszaak",
    "de klantenservice zegt dat ze 'nog geen informatie hebben'",
    "het ergste is dat er nog steeds geen excuses zijn",
    "mijn moeder van 80 belt mij in paniek omdat ze gebeld is door 'de verzekeraar'",
    "gaat {brand} de schade vergoeden als er misbruik van mijn gegevens wordt gemaakt",
    "wat een amateurs bij de ICT-afdeling van {brand}",
    "zelfs de medewerkers op de chat weten van niks",
)
COMPLAINT_CLOSERS: tuple[str, ...] = (
    "#datalek",
    "Schaam je.",
    "Graag een reactie.",
    "Bizar.",
    "#privacy #datalek",
    "Ik wacht.",
    "Dit kan echt niet.",
    "😡",
    "Wie weet meer?",
    "",
    "Delen aub.",
    "@AutoriteitPersoonsgegevens",
    "Hoe lang nog?",
    "#{brand}",
    "Triest.",
)

# customers asking what to do
QUESTIONS: tuple[str, ...] = (
    "Hoe weet ik of mijn gegevens bij het datalek van {brand} zitten?",
    "Moet ik nu mijn wachtwoord van de {brand}-app veranderen?",
    "Ik kreeg een mail van {brand} over een terugbetaling, is die echt of phishing?",
    "Kan ik mijn BSN laten blokkeren na het datalek bij {brand}?",
    "Is er een speciaal nummer waar je {brand} kunt bellen over het datalek?",
    "Moet ik mijn bank waarschuwen nu mijn IBAN misschien gelekt is bij {brand}?",
    "Heeft {brand} al gezegd welke periode het datalek betreft?",
    "Wat moet ik doen als ik gebeld word door iemand die zegt van {brand} te zijn?",
    "Kan ik een kopie opvragen van welke gegevens {brand} van mij heeft?",
    "Geldt het datalek bij {brand} ook voor mensen die vorig jaar zijn overgestapt?",
    "Krijgen klanten van {brand} persoonlijk bericht als hun gegevens gelekt zijn?",
    "Is het veilig om nu nog declaraties in te dienen via de app van {brand}?",
    "Weet iemand of {brand} al melding heeft gedaan bij de AP?",
    "Mijn zoon is meeverzekerd bij {brand}, zitten zijn gegevens er ook in?",
    "Kan ik nu nog overstappen of zit ik vast aan {brand} tot januari?",
    "Waar vind ik de officiële verklaring van {brand} over het lek?",
    "Zijn ook medische dossiers gelekt of alleen NAW-gegevens? Iemand?",
    "Moet ik aangifte doen nu mijn gegevens bij {brand} gelekt zijn?",
    "Stuurt {brand} nog brieven per post of alleen mail? Wil weten wat echt is",
    "Hoe kan ik mijn account bij {brand} tijdelijk blokkeren?",
    "Heeft iemand al antwoord gekregen van {brand} via de chat?",
    "Vergoedt {brand} een identiteitsbewakingsdienst na dit datalek?",
    "Bellen ze van {brand} zelf uit naar klanten of is dat altijd oplichting?",
    "Kan ik bij {brand} zien wanneer er voor het laatst is ingelogd op mijn account?",
    "Iemand een link naar het FAQ van {brand} over het datalek?",
    "Wordt er ook iets gezegd over de gegevens van zorgverleners bij {brand}?",
    "Is dit hetzelfde lek als bij die andere verzekeraar vorig jaar?",
    "Mijn polisnummer staat in een phishingmail, wat nu?",
)

# a minority that defends or puts it in perspective
NEUTRAL: tuple[str, ...] = (
    "Laten we even afwachten wat {brand} zelf zegt voordat iedereen gaat roepen",
    "Tip voor {brand}-klanten: klik niet op links in mails over terugbetalingen, ga zelf naar de site",
    "Goed dat journalisten dit uitzoeken. Ben benieuwd naar de reactie van {brand}",
    "Sta er zelf gelukkig niet in volgens de check, maar vervelend voor iedereen die wel",
    "De chat van {brand} gaf me wel netjes antwoord, ze werken eraan zeggen ze",
    "Heb via de officiële app van {brand} mijn wachtwoord gewijzigd, ging prima",
    "Zo'n lek kan elke organisatie overkomen, het gaat erom hoe {brand} nu handelt",
    "Reminder: {brand} vraagt nooit om je pincode of inlogcodes via de telefoon",
)

# English posts from expats and international press
ENGLISH: tuple[str, ...] = (
    "Just heard my Dutch health insurer {brand} had a data breach. Anyone know what was leaked?",
    "Expats insured with {brand}: check your inbox for phishing, there are fake refund emails going around",
    "Reports of a data breach at Dutch insurer {brand}, customer records allegedly offered for sale online",
    "Really disappointed that {brand} hasn't said a word in English about the data leak",
    "Is there an English FAQ from {brand} about the breach? The Dutch page is all I can find",
    "Data leak at {brand}? My BSN and bank details are with them, this is worrying",
    "Called {brand}, waited 45 minutes, line dropped. Great crisis handling",
    "Security researchers say the {brand} data leak may include medical claims data",
    "My partner got a call from someone claiming to be {brand} asking for her DigiD code. Scam alert",
    "How do I file a complaint with the Dutch data protection authority about {brand}?",
    "{brand} data breach: customers say they learned about it from the news, not the insurer",
    "Switching insurers after this {brand} breach. Any recommendations for expats?",
)
