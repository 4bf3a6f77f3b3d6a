"""The ordered pangkat list (Perkap 3/2016) and the civil grades of PNS Polri."""

from django.db import migrations

POLICE = [
    ("tamtama", ["Bharada", "Bharatu", "Bharaka", "Abripda", "Abriptu", "Abrippol"]),
    ("bintara", ["Bripda", "Briptu", "Brigpol", "Bripka", "Aipda", "Aiptu"]),
    ("pama", ["Ipda", "Iptu", "AKP"]),
    ("pamen", ["Kompol", "AKBP", "Kombes"]),
    ("pati", ["Brigjen", "Irjen", "Komjen", "Jenderal"]),
]
CIVIL = [
    ("I", ["Juru Muda", "Juru Muda Tingkat I", "Juru", "Juru Tingkat I"]),
    ("II", ["Pengatur Muda", "Pengatur Muda Tingkat I", "Pengatur", "Pengatur Tingkat I"]),
    ("III", ["Penata Muda", "Penata Muda Tingkat I", "Penata", "Penata Tingkat I"]),
    ("IV", ["Pembina", "Pembina Tingkat I", "Pembina Utama Muda", "Pembina Utama Madya", "Pembina Utama"]),
]


def load(apps, schema_editor):
    # Police ranks order 101+, civil grades 1+: "highest rank first" lists officers
    # before civil staff.
    Rank = apps.get_model("personnel", "Rank")
    order = 100
    for group, names in POLICE:
        for name in names:
            order += 1
            Rank.objects.update_or_create(
                code=name.upper(), defaults={"name": name, "group": group, "order": order}
            )
    order = 0
    for golongan, names in CIVIL:
        for index, name in enumerate(names):
            order += 1
            code = f"{golongan}/{'abcde'[index]}"
            Rank.objects.update_or_create(
                code=code, defaults={"name": f"{name} ({code})", "group": "pns", "order": order}
            )


class Migration(migrations.Migration):
    dependencies = [("personnel", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
