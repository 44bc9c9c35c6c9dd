"""English as the fund writes it (day before month, never 12/06 that reads two ways); Spanish and French use Django's.
Read through settings.FORMAT_MODULE_PATH by portal.formats and Django's date filter alike."""

DATE_FORMAT = "j F Y"  # 6 December 2026
SHORT_DATE_FORMAT = "j M Y"  # 6 Dec 2026
DATETIME_FORMAT = "j F Y, g:i a"  # 6 December 2026, 2:30 p.m.
SHORT_DATETIME_FORMAT = "j M Y, H:i"  # 6 Dec 2026, 14:30
YEAR_MONTH_FORMAT = "F Y"  # December 2026
MONTH_DAY_FORMAT = "j F"  # 6 December
