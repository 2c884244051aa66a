from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from indicators import demo


class Command(BaseCommand):
    help = ("Write the synthetic demo data set (regions, organisations, indicators, returns and a manifest) "
            "as CSV files. Deterministic: the same options always give the same files.")

    def add_arguments(self, parser):
        parser.add_argument("--output", default="fixtures/demo", help="Folder to write (default fixtures/demo).")
        parser.add_argument("--seed", type=int, default=demo.DEMO_SEED)
        parser.add_argument("--organisations", type=int,
                            help="Total organisations, shared between the types as in the default "
                                 "(100 HA : 170 TRUST : 300 PCG).")
        parser.add_argument("--types", default="HA,TRUST,PCG", help="Organisation type codes, comma-separated.")
        parser.add_argument("--indicators", type=int, help="Performance indicators per type (default: 15-25).")
        parser.add_argument("--years", type=int, default=len(demo.DEFAULT_YEARS),
                            help="Number of years, ending in 2000-01 (default 4).")

    def handle(self, *, output, seed, organisations, types, indicators, years, **options):
        type_codes = [code.strip().upper() for code in types.split(",") if code.strip()]
        if not type_codes or years < 1 or (organisations is not None and organisations < len(type_codes)):
            raise CommandError("Give at least one type, one year, and one organisation per type.")
        counts = {code: demo.DEFAULT_ORGANISATIONS.get(code, 100) for code in type_codes}
        if organisations is not None:
            counts = dict(zip(type_codes, demo.share_out(organisations, list(counts.values()))))
        data = demo.generate(seed=seed, organisations=counts, indicators_per_type=indicators,
                             years=tuple(range(2001 - years, 2001)))
        demo.write(data, Path(output))
        self.stdout.write(f"Wrote {output}: {len(data.organisations) - 1} organisations, "
                          f"{len({row[0] for row in data.indicators[1:]})} indicators "
                          f"({len(data.indicators) - 1} definitions), {len(data.returns) - 1} results.")
