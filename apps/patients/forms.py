from django import forms


class YearOfBirthForm(forms.Form):
    year_of_birth = forms.IntegerField(
        label="Your year of birth",
        min_value=1900,
        max_value=2100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "autocomplete": "bday-year"}),
    )


class OneTimeLinkRequestForm(forms.Form):
    email = forms.EmailField(
        label="The email address your clinic has for you",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
