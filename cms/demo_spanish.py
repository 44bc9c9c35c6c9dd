"""Words for the Spanish version of the demo site (cms/demo_translations.py builds it). Keyed by the English page's
URL path below the home page ("" is the home page). Plain, warm Spanish for families and community groups."""

HOME = {
    "title": "Fondo Comunitario de Resiliencia de Millbrook",
    "hero_heading": "Respuestas comunitarias a la crisis de sobredosis",
    "intro": "Reunimos dinero de vecinos, departamentos de la ciudad, una fundación comunitaria y filántropos locales, "
    "y lo ponemos en manos de quienes ya están salvando vidas en Millbrook.",
    "seo_title": "Fondo Comunitario de Resiliencia de Millbrook: respuestas comunitarias a la crisis de sobredosis",
}

PAGES = {
    "campaigns": {
        "title": "Campañas",
        "intro": "Done a una campaña y su donación irá exactamente adonde dice.",
    },
    "campaigns/naloxone-in-every-pocket": {
        "title": "Naloxona en cada bolsillo",
        "intro": "Naloxona gratis, y la confianza para usarla, al alcance de todas las personas de Millbrook.",
        "body": [
            (
                "rich_text",
                "<p>La naloxona revierte una sobredosis de opioides en minutos. Es segura y fácil de usar, y solo "
                "funciona si está a mano cuando alguien deja de respirar. Esta campaña paga kits, capacitaciones y a los "
                "trabajadores pares que los reparten en lavanderías, paradas de autobús y bares.</p>",
            ),
            (
                "statistic",
                {
                    "value": "$25",
                    "label": "compran dos kits de naloxona y una capacitación",
                    "source": "Colectivo de capacitación en naloxona de Millbrook, precios de 2026",
                },
            ),
            ("image", "naloxone"),
            (
                "quote",
                {
                    "quote": "El kit que llevaba en la bolsa le salvó la vida a mi vecino. No tuve que esperar a nadie.",
                    "attribution": "Una vecina de Northside capacitada en una sesión abierta",
                },
            ),
        ],
    },
    "campaigns/peer-support-winter-appeal": {
        "title": "Campaña de invierno para el apoyo entre pares",
        "intro": "Mantener a los trabajadores pares en la calle durante los meses más fríos, cuando más aumentan las "
        "sobredosis y el aislamiento.",
        "body": [
            (
                "rich_text",
                "<p>Gracias a 600 donantes alcanzamos la meta: hubo acompañamiento entre pares todas las noches de "
                "diciembre a marzo, con bebidas calientes, calentadores de manos, naloxona y una cara amiga.</p>",
            ),
            (
                "statistic",
                {"value": "112", "label": "noches de acompañamiento entre pares", "source": "Informes de 2025/26"},
            ),
            ("image", "winter"),
        ],
    },
    "funding": {
        "title": "Financiamiento",
        "intro": "Financiamos el trabajo comunitario frente a la crisis de sobredosis en Millbrook. Esto es lo que está "
        "abierto ahora.",
    },
    "funding/2026-community-led-response-grants": {
        "title": "Subvenciones 2026 para respuestas comunitarias",
        "intro": "Subvenciones de hasta $50,000 para el trabajo comunitario que mantiene con vida y acompañadas a las "
        "personas que usan drogas.",
        "what_we_fund": "<ul><li>Distribución de naloxona y capacitación para responder a una sobredosis</li>"
        "<li>Acompañamiento entre pares y centros de acogida</li><li>Análisis de sustancias y alertas sobre el "
        "suministro</li><li>Apoyo a familias y jóvenes</li><li>Caminos hacia el tratamiento, la vivienda y el "
        "trabajo, a su propio ritmo</li></ul>",
        "eligibility": "<p>Organizaciones benéficas registradas, corporaciones sin fines de lucro y grupos "
        "comunitarios sin personería jurídica con un patrocinador fiscal, que trabajen en Millbrook. Animamos "
        "especialmente a los grupos dirigidos por personas con experiencia vivida.</p>",
        "timeline": [
            ("Hoy", "Se abren las solicitudes"),
            ("En tres semanas", "Se cierran las solicitudes a las 5 de la tarde"),
            ("Seis semanas después", "Decisiones del comité y cartas"),
            ("Dos meses después", "Primeros pagos"),
        ],
        "faqs": [
            (
                "¿Podemos solicitar si no somos una organización benéfica registrada?",
                "<p>Sí. Los grupos sin personería jurídica pueden solicitar con un patrocinador fiscal.</p>",
            ),
            (
                "¿Quién lee nuestra solicitud?",
                "<p>Un comité de nueve personas: tres del personal, tres miembros de la comunidad con experiencia "
                "vivida y tres expertos externos. Quien tenga un conflicto de intereses se aparta.</p>",
            ),
            (
                "¿Podemos recibir ayuda con la solicitud?",
                "<p>Sí: escriba a grants@millbrook-fund.example y le llamará un responsable de programas. Atendemos "
                "en español.</p>",
            ),
        ],
    },
    "stories": {
        "title": "Historias",
        "intro": "Noticias del fondo e historias de las personas que financiamos, compartidas con su consentimiento.",
    },
    "stories/drop-in-centre-opens-evenings": {
        "title": "El centro de acogida que sigue abierto de noche",
        "intro": "Un centro de acogida dirigido por pares en Northside ahora abre hasta la medianoche, cuando ocurren "
        "la mayoría de las sobredosis.",
        "body": [
            (
                "rich_text",
                "<p>La mayoría de las sobredosis que atienden los trabajadores pares de Northside ocurren entre las 8 "
                "de la noche y la medianoche. Por eso, la primavera pasada, el centro pidió financiamiento para abrir "
                "hasta tarde.</p><p>Seis meses después, el turno de noche ha recibido más de 900 visitas, entrega "
                "naloxona a quien la pida y ha acompañado a 41 personas hacia un tratamiento elegido por ellas.</p>",
            ),
            (
                "quote",
                {
                    "quote": "Aquí nadie te pide que seas otra persona distinta de quien eres esta noche.",
                    "attribution": "Un trabajador par del centro",
                },
            ),
        ],
    },
    "stories/outreach-van-winter": {
        "title": "En la carretera con la furgoneta de acompañamiento",
        "intro": "Tres noches por semana, un colectivo lleva comida caliente, suministros y naloxona a los "
        "campamentos de Riverside.",
        "body": [
            (
                "rich_text",
                "<p>La furgoneta empezó siendo una minivan prestada y una mesa plegable. Una subvención del fondo pagó "
                "un vehículo de verdad, el combustible de un año y estipendios para cuatro conductores pares.</p>"
                "<p>Los conductores conocen a casi todos por su nombre. Cuando alguien está listo para algo más, "
                "hacen la llamada juntos.</p>",
            ),
            (
                "quote",
                {
                    "quote": "Llegamos cada martes, jueves y sábado. Esa constancia es lo que importa.",
                    "attribution": "Un conductor de la furgoneta",
                },
            ),
        ],
    },
    "stories/familias-unidas-support-circle": {
        "title": "Familias que se apoyan: un círculo de apoyo en español",
        "intro": "Una red de familias hispanohablantes organiza círculos semanales para madres y padres cuyos hijos "
        "usan drogas.",
        "body": [
            (
                "rich_text",
                "<p>Para muchas familias hispanohablantes de Eastbank no había dónde hablar del consumo de un hijo en "
                "su propio idioma y sin vergüenza.</p><p>Hoy el círculo semanal tiene 35 participantes habituales y "
                "enseña a madres y padres a llevar y usar naloxona.</p>",
            ),
            ("quote", {"quote": "Aquí nadie te juzga.", "attribution": "Una madre del círculo"}),
        ],
    },
    "about": {
        "title": "Quiénes somos",
        "intro": "Un fondo de coalición, dirigido por la comunidad a la que sirve.",
        "body": [
            (
                "rich_text",
                "<p>El Fondo Comunitario de Resiliencia de Millbrook lo crearon departamentos de la ciudad, la "
                "Fundación Comunitaria de Millbrook y filántropos locales que coincidían en algo: quienes están más "
                "cerca de la crisis de sobredosis saben mejor cómo responder a ella.</p><p>Nuestros comités de "
                "subvenciones siempre incluyen a miembros de la comunidad con experiencia vivida de consumo, "
                "recuperación o pérdida, junto al personal y a expertos externos. Publicamos cada subvención que "
                "otorgamos como datos abiertos.</p>",
            )
        ],
    },
}

ALERT = {
    "message": "Se detectaron opioides de tipo nitaceno en muestras analizadas en Northside: lleve naloxona y no "
    "consuma a solas.",
    "link_text": "Lo que encontró el análisis de sustancias",
}

FOOTER = {
    "fund_name": "Fondo Comunitario de Resiliencia de Millbrook",
    "footer_text": "Fondo Comunitario de Resiliencia de Millbrook: donaciones reunidas para respuestas comunitarias a "
    "la crisis de sobredosis. Un proyecto de la Fundación Comunitaria de Millbrook.",
}
