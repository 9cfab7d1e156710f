"""Kansen's own date formats per language (settings.FORMAT_MODULE_PATH). Templates use the named
formats (`date:"DATE_FORMAT"`, `"DATETIME_FORMAT"`, `"SHORT_DATE_FORMAT"`), so the order of day,
month and year and the month names follow the active language; numbers use Django's own
separators per language (`floatformat:"0g"`, `intcomma`)."""
