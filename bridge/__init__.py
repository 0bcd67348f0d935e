"""crm-bridge: keeps invoices consistent between Perfex CRM and ONLYOFFICE CRM."""

__version__ = "0.1.0"
