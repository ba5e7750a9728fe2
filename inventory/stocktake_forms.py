"""The forms of the stocktaking pages (inventory/views/stocktakes.py). The rules are the
services' in inventory/stocktakes.py; these forms only read what was typed or ticked."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .choices import StocktakeOutcome
from .models import Asset, Library, Location, StocktakeLine
from .stocktakes import MISSING_CHOICES, UNEXPECTED_CHOICES


class PlaceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.library.code} – {obj.name}"


class StocktakeStartForm(forms.Form):
    library = forms.ModelChoiceField(label=_("Library"), queryset=Library.objects.none())
    locations = PlaceChoiceField(
        label=_("Places to count"),
        queryset=Location.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked to count the whole library."),
    )

    def __init__(self, *args, libraries: QuerySet[Library], places: QuerySet[Location], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["library"].queryset = libraries
        self.fields["locations"].queryset = places.select_related("library").order_by(
            "library__code", "name"
        )


def find_asset(assets: QuerySet[Asset], typed: str) -> Asset:
    """The asset with the typed or scanned tag, among `assets` (what the user sees); the
    case of the letters does not matter unless two tags differ only by it."""
    tag = typed.strip()
    if not tag or "\x00" in tag:
        raise ValidationError(_("Type or scan an asset tag."))
    exact = assets.filter(tag=tag).first()
    if exact is not None:
        return exact
    similar = list(assets.filter(tag__iexact=tag)[:2])
    if len(similar) == 1:
        return similar[0]
    raise ValidationError(_("No asset with the tag “%(tag)s” was found.") % {"tag": tag})


class StocktakeSeenForm(forms.Form):
    """Mark assets seen: the boxes ticked on the list, or one tag typed or scanned."""

    tag = forms.CharField(
        label=_("Asset tag"),
        max_length=32,
        required=False,
        help_text=_("Type the tag, or scan the label with a barcode scanner."),
    )
    assets = forms.ModelMultipleChoiceField(
        label=_("Not seen yet"),
        queryset=Asset.objects.none(),
        to_field_name="tag",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, listed: QuerySet[Asset], visible: QuerySet[Asset], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assets"].queryset = listed
        self.visible = visible

    def clean_tag(self) -> Asset | None:
        typed = self.cleaned_data["tag"]
        if not typed.strip():
            return None
        return find_asset(self.visible, typed)

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("tag") and not data.get("assets"):
            raise ValidationError(_("Tick the assets you have seen, or type a tag."))
        return data

    def chosen(self) -> list[Asset]:
        data = self.cleaned_data
        return [data["tag"]] if data.get("tag") else list(data.get("assets") or [])


class StocktakeFoundForm(forms.Form):
    """An asset found in the stocktake's library that is not on its list."""

    tag = forms.CharField(label=_("Asset tag"), max_length=32)
    found_location = forms.ModelChoiceField(
        label=_("Where it was found"), queryset=Location.objects.none()
    )

    def __init__(self, *args, places: QuerySet[Location], visible: QuerySet[Asset], **kwargs):
        kwargs.setdefault("auto_id", "found_%s")
        super().__init__(*args, **kwargs)
        self.fields["found_location"].queryset = places
        self.visible = visible

    def clean_tag(self) -> Asset:
        return find_asset(self.visible, self.cleaned_data["tag"])


def decision_field(line: StocktakeLine) -> str:
    return f"line_{line.pk}"


def version_field(line: StocktakeLine) -> str:
    return f"version_{line.pk}"


class StocktakeCloseForm(forms.Form):
    """What to do with each missing and each unexpected asset; "leave it" is chosen."""

    def __init__(
        self,
        *args,
        missing: tuple[StocktakeLine, ...],
        unexpected: tuple[StocktakeLine, ...],
        library: Library,
        may_move_between_libraries: bool,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.library = library
        self.lines: dict[str, StocktakeLine] = {}
        self.missing_names = [decision_field(line) for line in missing]
        self.unexpected_names = [decision_field(line) for line in unexpected]
        for line in missing:
            self._add(line, MISSING_CHOICES, self._missing_help(line))
        for line in unexpected:
            other_library = line.asset.library_id != library.pk
            refused = other_library and not may_move_between_libraries
            movable = line.found_location_id is not None and not refused
            choices = UNEXPECTED_CHOICES if movable else (StocktakeOutcome.LEFT,)
            self._add(line, choices, self._unexpected_help(line, refused))
            if movable:
                # The asset's version when the page was shown (see stocktake_close).
                self.fields[version_field(line)] = forms.IntegerField(
                    widget=forms.HiddenInput, initial=line.asset.version, required=False
                )

    def _add(self, line: StocktakeLine, choices, help_text: str) -> None:
        name = decision_field(line)
        self.fields[name] = forms.ChoiceField(
            label=f"{line.asset.tag} {line.asset.short_name}",
            choices=[(choice, self._choice_label(line, choice)) for choice in choices],
            initial=StocktakeOutcome.LEFT,
            widget=forms.RadioSelect,
            help_text=help_text,
        )
        self.lines[name] = line

    def _choice_label(self, line: StocktakeLine, choice: str) -> str:
        if choice == StocktakeOutcome.MOVED:
            return _("Move it to %(place)s (%(library)s)") % {
                "place": line.found_location,
                "library": self.library.code,
            }
        if choice == StocktakeOutcome.MISSING:
            return _("Mark it missing (a note in its history)")
        return _("Leave it as it is")

    @staticmethod
    def _missing_help(line: StocktakeLine) -> str:
        return _("Not seen. In the register: %(place)s, %(status)s.") % {
            "place": line.expected_location or "–",
            "status": line.asset.get_status_display(),
        }

    @staticmethod
    def _unexpected_help(line: StocktakeLine, refused: bool) -> str:
        text = _("Found at %(found)s. In the register: %(library)s, %(place)s.") % {
            "found": line.found_location or "–",
            "library": line.asset.library.code,
            "place": line.asset.location or "–",
        }
        if refused:
            text += " " + _(
                "Only IT staff and administrators can move an asset to another library: "
                "leave it, and ask IT to move it."
            )
        return text

    def missing_fields(self):
        return [self[name] for name in self.missing_names]

    def unexpected_fields(self):
        return [self[name] for name in self.unexpected_names]

    def decisions(self) -> dict[str, str]:
        return {
            line.asset.tag: self.cleaned_data[name]
            for name, line in self.lines.items()
            if self.cleaned_data.get(name)
        }

    def versions(self) -> dict[str, int]:
        result = {}
        for line in self.lines.values():
            value = self.cleaned_data.get(version_field(line))
            if value is not None:
                result[line.asset.tag] = value
        return result

    def field_of(self, tag: str) -> str | None:
        """The decision field of the asset with `tag`, for a service error about it."""
        for name, line in self.lines.items():
            if line.asset.tag == tag:
                return name
        return None
