"""The form renderer: Django's own widget templates, rendered by Jinja2.

Django ships every widget's template twice, for its own template engine and for Jinja2,
and the two write the same HTML. A select or a list of check boxes renders one template
per option, which the Django engine does several times slower: on the asset list, whose
filter and bulk forms hold a few hundred options, it was about a quarter of the page's
CPU. Templates that only exist for the Django engine (the admin's widgets) are rendered
by it, so every form keeps working.
"""

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class FastWidgets(BaseRenderer):
    def __init__(self) -> None:
        self._jinja2 = Jinja2()
        self._django = DjangoTemplates()

    def get_template(self, template_name):
        try:
            return self._jinja2.get_template(template_name)
        except TemplateDoesNotExist:
            return self._django.get_template(template_name)
