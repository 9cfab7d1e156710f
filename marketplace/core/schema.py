"""OpenAPI schema generation: HackSoft-style nested InputSerializer/OutputSerializer classes get
component names from their view (`MeApi.OutputSerializer` becomes `MeOutput`)."""

from drf_spectacular.openapi import AutoSchema as BaseAutoSchema


class AutoSchema(BaseAutoSchema):
    def get_serializer_name(self, serializer, direction):
        qualname = type(serializer).__qualname__
        if "." in qualname:
            outer, inner = qualname.rsplit(".", 1)
            return outer.split(".")[-1].removesuffix("Api") + inner
        return super().get_serializer_name(serializer, direction)
