"""Reports: one view model per report (:mod:`.model`), built by the service that owns the data,
and renderers that turn any :class:`~.model.Report` into HTML, PDF or XLSX. Templates hold no
logic: everything a report shows is computed into its view model first."""
