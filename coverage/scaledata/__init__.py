"""A big, consistent data set for measuring the product at scale (`manage.py generate_scale_data`).

``templates`` makes a handful of real dispatches through the services (rated, booked,
certified); ``load`` clones them into millions of rows with set-based SQL on PostgreSQL.
"""
