"""The open call's form and eligibility questions in Spanish (Millbrook's Spanish-speaking families network applies
in Spanish). Staff type these into each question's Translations panel before publishing the form."""

COMMUNITY_FORM_ES = {
    "s_need": {"label_es": "La necesidad y su respuesta"},
    "need": {"label_es": "¿Qué necesidad atenderá este proyecto, y para quién?"},
    "approach": {"label_es": "¿Cómo la atenderán? ¿Qué harán, semana a semana?"},
    "focus": {
        "label_es": "Enfoque principal",
        "choices_es": "Naloxona y respuesta a sobredosis\nAnálisis de sustancias\nApoyo entre pares\n"
        "Recuperación y vivienda\nFamilias y jóvenes",
    },
    "areas": {"label_es": "Barrios en los que trabajarán"},
    "peer_led": {"label_es": "¿Dirigirán o realizarán el trabajo personas con experiencia vivida?"},
    "peer_support": {"label_es": "¿Cómo se pagará y apoyará a los trabajadores pares?"},
    "s_budget": {"label_es": "Presupuesto y plazos"},
    "budget": {
        "label_es": "Presupuesto",
        "help_text_es": "Indique qué pagará la subvención. El total debe ser igual a la cantidad que solicita.",
    },
    "other_funding": {"label_es": "Otro financiamiento para este proyecto (si lo hay)"},
    "start_date": {"label_es": "¿Cuándo empezará el proyecto?"},
    "people_reached": {"label_es": "¿A cuántas personas, más o menos, llegará el proyecto?"},
    "s_files": {"label_es": "Documentos de apoyo"},
    "workplan": {"label_es": "Plan de trabajo o calendario (opcional)"},
    "accounts": {"label_es": "Últimas cuentas o presupuesto (opcional)"},
}

# In the order of the round's eligibility questions: (question, "not eligible because...").
COMMUNITY_ELIGIBILITY_ES = [
    ("¿Su trabajo atiende a personas de Millbrook?", "este fondo solo apoya trabajo en Millbrook."),
    (
        "¿Su grupo es una organización sin fines de lucro, una organización benéfica, una organización tribal o un "
        "grupo comunitario con patrocinador fiscal?",
        "solo podemos financiar a organizaciones sin fines de lucro, benéficas, tribales y grupos comunitarios con "
        "patrocinador.",
    ),
    ("¿Solicita $50,000 o menos?", "esta convocatoria financia hasta $50,000 por organización."),
]
