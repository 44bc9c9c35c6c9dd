"""Words for the demo site (fictional: no real organisation or person). Kept apart from cms/demo.py, which builds pages."""

HOME = {
    "title": "Millbrook Community Resilience Fund",
    "hero_heading": "Community-led answers to the overdose crisis",
    "intro": "We pool money from neighbours, city departments, a community foundation and local philanthropists, and "
    "put it in the hands of the people already saving lives in Millbrook.",
}

ABOUT = [
    (
        "about",
        "About us",
        "A coalition fund, led by the community it serves.",
        "<p>The Millbrook Community Resilience Fund was set up by city departments, the Millbrook Community Foundation "
        "and local philanthropists who agreed on one thing: the people closest to the overdose crisis know best how to "
        "respond to it.</p><p>Our grant panels always include community members with lived experience of drug use, "
        "recovery or loss, alongside staff and outside experts. We publish every grant we make as open data.</p>",
    ),
    (
        "privacy",
        "Privacy",
        "How we use the information you give us.",
        "<p>We collect only what we need to process your gift or application, send receipts and report to regulators. "
        "We never sell or swap data. Organisations can ask not to be named in public, and we honour that everywhere, "
        "including our open data.</p>"
        "<p>Applications can describe lived experience of drug use, which the law treats as special-category data. "
        "Only the program staff and the reviewers assigned to an application read it, and six years after a declined "
        "or withdrawn application was last changed we delete its answers and files; unsubmitted drafts are deleted "
        "on the same schedule.</p>"
        "<p><b>See your data.</b> Signed in, open <i>Download your data</i> on your dashboard: you get everything the "
        "portal holds about you (your account and sign-ins, your organisations, the applications and answers you "
        "wrote, your reviews, your gifts and receipts, and the audit entries about you) as a readable PDF and as a "
        "JSON file you can take elsewhere. Your dashboard also lists the devices signed in to your account, and you "
        "can sign them out.</p>"
        "<p><b>Erase your data.</b> Email privacy@millbrook-fund.example and we erase you: your account is closed and "
        "your name, email and address are replaced by a pseudonym everywhere. Tax law makes us keep the name and "
        "address on gifts we issued a tax receipt for (or claimed Gift Aid on) for the required period; those "
        "financial records are kept, linked to the pseudonym, and nothing else is.</p>"
        "<p>Staff and finance accounts are signed out after 30 minutes without activity and need two-factor "
        "authentication.</p>",
    ),
    (
        "contact",
        "Contact us",
        "Questions about giving, grants or this website.",
        '<p>Email <a href="mailto:hello@millbrook-fund.example">hello@millbrook-fund.example</a> or call (555) 010-2026, '
        "Monday to Friday, 9am to 5pm.</p><p>100 River Street, Suite 4, Millbrook, PA 19000.</p>"
        "<p>If someone is not breathing or you think they have overdosed, call 911 and give naloxone if you have it.</p>",
    ),
]

CAMPAIGNS = {
    "naloxone": {
        "intro": "Put free naloxone, and the confidence to use it, within reach of everyone in Millbrook.",
        "story": [
            (
                "rich_text",
                "<p>Naloxone reverses an opioid overdose in minutes. It is safe, simple to use, and it only "
                "works if it is there when someone stops breathing. This campaign pays for kits, trainings and the peer "
                "workers who hand them out in laundromats, bus shelters and bars.</p>",
            ),
            (
                "statistic",
                {
                    "value": "$25",
                    "label": "buys two naloxone kits and a training session",
                    "source": "Millbrook naloxone training collective, 2026 prices",
                },
            ),
            ("image", "naloxone"),
            (
                "quote",
                {
                    "quote": "The kit in my bag brought my neighbour back. I didn't have to wait for anyone.",
                    "attribution": "A Northside resident trained at a pop-up session",
                },
            ),
            (
                "call_to_action",
                {
                    "heading": "Host a training",
                    "text": "Bring a free 30-minute naloxone training to your workplace, congregation or block party.",
                    "button_text": "Contact us",
                    "url": "https://millbrook-fund.example/contact/",
                },
            ),
        ],
    },
    "winter": {
        "intro": "Keep peer workers on the street through the coldest months, when overdoses and isolation peak.",
        "story": [
            (
                "rich_text",
                "<p>Thanks to 600 donors, we met our goal: peer outreach ran every night from December to "
                "March, with warm drinks, hand warmers, naloxone and a friendly face.</p>",
            ),
            ("statistic", {"value": "112", "label": "nights of peer outreach", "source": "Grantee reports, 2025/26"}),
            ("image", "winter"),
        ],
    },
}

ROUND_PAGES = {
    "open": {
        "intro": "Grants of up to $50,000 for community-led work that keeps people who use drugs alive and connected.",
        "what_we_fund": "<ul><li>Naloxone distribution and overdose response training</li><li>Peer outreach and "
        "drop-in services</li><li>Drug-checking and supply alerts</li><li>Family and youth support</li>"
        "<li>Pathways to treatment, housing and work, on people's own terms</li></ul>",
        "eligibility": "<p>Registered charities, nonprofit corporations, and unincorporated community groups with a "
        "fiscal sponsor, working in Millbrook. Groups led by people with lived experience are especially "
        "encouraged.</p>",
        "timeline": [
            ("Today", "Applications open"),
            ("In three weeks", "Applications close at 5pm"),
            ("Six weeks later", "Panel decisions and letters"),
            ("Two months later", "First payments"),
        ],
        "faqs": [
            (
                "Can we apply if we are not a registered charity?",
                "<p>Yes. Unincorporated groups can apply with a fiscal sponsor.</p>",
            ),
            (
                "Who reads our application?",
                "<p>A panel of nine: three staff, three community members with lived experience and three outside "
                "experts. Anyone with a conflict of interest steps aside.</p>",
            ),
            (
                "Can we get help with the application?",
                "<p>Yes: email grants@millbrook-fund.example for a call with a program officer.</p>",
            ),
        ],
    },
    "rolling": {
        "intro": "Small, fast grants of up to $5,000 for urgent, practical needs. Decisions within two weeks.",
        "what_we_fund": "<p>Emergency supplies, event costs, stipends for peer volunteers, small equipment.</p>",
        "eligibility": "<p>Any community group working in Millbrook, including informal groups.</p>",
        "timeline": [("Any time", "Apply"), ("Within two weeks", "Decision")],
        "faqs": [("How often can we apply?", "<p>Once every six months.</p>")],
    },
    "closed": {
        "intro": "Our 2025 round funded eight community organisations working across Millbrook.",
        "what_we_fund": "<p>Community-led harm reduction: naloxone, peer support, drug checking, family support.</p>",
        "eligibility": "<p>Nonprofits and community groups working in Millbrook.</p>",
        "timeline": [("Spring 2025", "Applications"), ("Summer 2025", "Decisions"), ("2025 to 2027", "Grants run")],
        "faqs": [],
        "results": "<p>Eight grants were awarded. Quarterly impact reports are summarised on our impact page.</p>",
    },
}

# (slug, title, intro, tags, grantee story?, image key, paragraphs, quote)
STORIES = [
    (
        "drop-in-centre-opens-evenings",
        "The drop-in centre that stays open after dark",
        "A peer-run drop-in in Northside now opens until midnight, when most overdoses happen.",
        ["peer support", "Northside"],
        True,
        "dropin",
        [
            "Most of the overdoses Northside's peer workers respond to happen between 8pm and midnight. So last spring, "
            "the drop-in centre asked for funding to stay open late.",
            "Six months on, the evening shift has welcomed over 900 visits, handed out naloxone to anyone who asks and "
            "helped 41 people into treatment on their own terms.",
        ],
        ("Nobody here asks you to be anyone other than who you are tonight.", "A peer worker at the drop-in"),
    ),
    (
        "outreach-van-winter",
        "On the road with the outreach van",
        "Three nights a week, a van collective brings warm food, supplies and naloxone to Riverside's encampments.",
        ["outreach", "Riverside"],
        True,
        "van",
        [
            "The van started as a borrowed minivan and a folding table. A grant from the fund paid for a proper vehicle, "
            "fuel for a year and stipends for four peer drivers.",
            "The drivers know most people by name. When someone is ready for more, they make the call together.",
        ],
        ("We show up every Tuesday, Thursday and Saturday. That reliability is the whole point.", "A van driver"),
    ),
    (
        "familias-unidas-support-circle",
        "Familias que se apoyan: a support circle in Spanish",
        "A Spanish-speaking family network runs weekly circles for parents whose children use drugs.",
        ["families", "Eastbank"],
        True,
        "families",
        [
            "For many Spanish-speaking parents in Eastbank, there was nowhere to talk about a child's drug use in their own "
            "language without shame.",
            "The weekly circle now has 35 regular members and trains parents to carry and use naloxone.",
        ],
        ("Aquí nadie te juzga. Here, nobody judges you.", "A mother in the circle"),
    ),
    (
        "drug-checking-results",
        "What drug checking told us this year",
        "The community drug-checking cooperative tested more samples than ever, and found nitazenes for the first time.",
        ["drug checking", "alerts"],
        True,
        "lab",
        [
            "Drug checking lets people find out what is really in their supply. The cooperative's results feed the alerts "
            "you see at the top of this site.",
            "This year, nitazene-type opioids appeared in samples from Northside, and an alert went out the same day.",
        ],
        ("An alert only helps if it is fast and plain. We aim for hours, not weeks.", "A cooperative volunteer"),
    ),
    (
        "youth-arts-mural",
        "A mural for the friends we lost",
        "Young artists in Old Mill painted a memorial mural, and talked openly about overdose while they did it.",
        ["youth", "Old Mill"],
        True,
        "mural",
        [
            "Over ten weeks, sixteen young people designed and painted a mural on the side of the Old Mill community hall.",
            "Each session opened with a conversation about loss, safety and looking out for each other.",
        ],
        ("Painting it together made it okay to talk about.", "A 17-year-old artist"),
    ),
    (
        "healing-circle",
        "A healing circle rooted in tradition",
        "An Indigenous-led healing circle in Cedar Hill brings ceremony and peer support together.",
        ["culture", "Cedar Hill"],
        True,
        "circle",
        [
            "The circle meets every new moon, with elders, peer supporters and anyone who wants to come.",
            "Funding pays for a gathering space, food and honoraria for the elders who lead it.",
        ],
        ("Healing happens in community. It always has.", "An elder of the circle"),
    ),
    (
        "naloxone-in-every-pocket-launch",
        "Naloxone in Every Pocket launches",
        "Our biggest public campaign yet aims to put naloxone within reach of everyone in Millbrook.",
        ["campaign", "naloxone"],
        False,
        "naloxone",
        [
            "Today we launched Naloxone in Every Pocket, with a goal of $250,000 for kits, trainings and peer distributors.",
            "Every dollar goes to community organisations already doing this work.",
        ],
        None,
    ),
    (
        "winter-appeal-thank-you",
        "Thank you: the winter appeal met its goal",
        "Six hundred donors kept peer workers on the street all winter.",
        ["campaign", "peer support"],
        False,
        "winter",
        [
            "We asked for $80,000 to keep peer outreach running through the coldest months. You gave it.",
            "Here is what your gifts made possible, night by night.",
        ],
        None,
    ),
    (
        "panel-with-lived-experience",
        "Why our grant panels include people with lived experience",
        "Three of the nine people deciding our grants have lived experience of drug use, recovery or loss.",
        ["how we fund"],
        False,
        "circle",
        [
            "When we set up the fund, community members asked for a seat at the table where decisions are made. They got one.",
            "Panel members are paid for their time, trained in scoring, and step aside when they have a conflict.",
        ],
        None,
    ),
    (
        "lending-library",
        "A library that lends more than books",
        "The harm-reduction lending library in Union Square lends fentanyl test strips, naloxone and know-how.",
        ["harm reduction", "Union Square"],
        True,
        "library",
        [
            "The library started on one shelf of a community bookshop. Now it lends test strips, naloxone, safer-use "
            "guides in five languages and a quiet corner to talk.",
            "Its volunteers are trained by the naloxone collective, another of our grantees.",
        ],
        ("People come in for a book and leave with a plan.", "A library volunteer"),
    ),
]

ALERT_MESSAGE = (
    "Nitazene-type opioids detected in drug-checking samples from Northside: carry naloxone, don't use alone"
)

IMAGES = {
    # key: (title, alt text, two colours)
    "hero": (
        "Millbrook neighbours at a community event",
        "Neighbours gathered around tables at an outdoor community event in Millbrook.",
        ("#0b5a6b", "#7fb8c4"),
    ),
    "naloxone": (
        "Naloxone kits",
        "A row of orange naloxone kits on a table, ready to hand out.",
        ("#b35c1e", "#f2c08f"),
    ),
    "winter": (
        "Winter outreach",
        "Peer workers in warm coats handing out hot drinks on a snowy street.",
        ("#284b8c", "#c6d4ef"),
    ),
    "dropin": ("Drop-in centre", "The lit doorway of a drop-in centre at night.", ("#3a2f6b", "#b7aee0")),
    "van": ("Outreach van", "A white outreach van parked by a river path.", ("#1e6b34", "#a6d8b3")),
    "families": (
        "Family support circle",
        "Parents sitting in a circle of chairs in a community room.",
        ("#7a4b00", "#efcf8f"),
    ),
    "lab": ("Drug-checking lab", "A volunteer using a spectrometer to test a sample.", ("#4a5560", "#c9d2d6")),
    "mural": ("Memorial mural", "A colourful mural of faces and flowers on a brick wall.", ("#8c2f5a", "#efb1cd")),
    "circle": ("Healing circle", "People sitting around a fire at dusk.", ("#6b3a1e", "#e0b89a")),
    "library": (
        "Lending library",
        "Shelves of books, leaflets and supply boxes in a small shop.",
        ("#2f5d6b", "#b3d6df"),
    ),
}
