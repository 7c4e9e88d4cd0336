"""Indonesian given and family names for the benchmarks' generated members, most common first (the generator
draws them with Zipf-like weights: the first names of each list are by far the most frequent). Written for the
benchmark; a given name alone is a whole name for many Indonesians (Javanese single names)."""

GIVEN = """
Muhammad Siti Nur Ahmad Sri Dewi Agus Budi Eko Joko Rina Ani Wati Yanti Dian Rizki Putri Andi Fitri Indah
Sari Ayu Hendra Dedi Rudi Wahyu Bambang Heru Slamet Suparman Sutrisno Suharti Sumarni Sukarni Endang Yuni Lestari
Ratna Novi Dwi Tri Eka Anita Dodi Irwan Arif Hadi Yusuf Ibrahim Abdul Rahmat Hasan Husein Ali Umar Fatimah Aisyah
Khadijah Maryam Zainab Nurul Nurhayati Rohmah Aminah Halimah Salmah Rukmini Sumiati Suwarni Tuminah Paijo Paiman
Sugeng Sugiono Sukardi Sunarto Supriyadi Suryono Susilo Sutarno Tukiman Wagiman Warsito Yatno Kartini Kasih Lastri
Marni Ningsih Parmi Painem Rusmini Sarinah Sumi Tarmi Wartini Yati Adi Aditya Agung Ahmad Akbar Alif Amalia Anggi
Anjar Annisa Ari Arief Aris Asep Bagus Bayu Benny Cahya Cecep Citra Dadang Dani Danu Deden Desi Dewanto Dimas
Dina Dwiki Edi Elsa Endah Erna Evi Fajar Farhan Febri Firman Galih Gita Guntur Hani Hari Hasanah Ika Ilham Imam
Indra Intan Iwan Jajang Juli Kurnia Lia Lukman Maya Mega Meli Mira Nanda Nani Neneng Nia Nina Oki Pandu Prasetyo
Puspita Putra Rahma Rani Reza Rian Rika Rini Rizal Rosa Sandi Septi Setiawan Sinta Sony Tatang Taufik Teguh Tika
Toto Ujang Ulfa Umi Vina Wawan Widya Wulan Yanto Yoga Yogi Yudi Yulia Zaki Zulfa Made Wayan Nyoman Ketut Putu
Kadek Komang Gede Ngurah Ida Ayu Gusti Luh Nengah Butet Tigor Togar Uli Rotua Horas Marulam Poltak Sahat Lamhot
Fransiskus Yohanes Maria Yosef Petrus Paulus Agustinus Antonius Stefanus Theresia Veronika Agnes Lukas Markus
Cornelia Ignatius Benediktus Ratih Ningrum Kusuma Larasati Pratiwi Anggraeni Melati Kenanga Mawar Cempaka
""".split()

FAMILY = """
Saputra Pratama Wijaya Santoso Hidayat Setiawan Kurniawan Nugroho Wibowo Susanto Gunawan Purnomo Utomo Hakim
Firmansyah Ramadhan Syahputra Maulana Suryadi Rahmawati Handayani Permatasari Lestari Wulandari Anggraini
Kusumawati Siregar Nasution Harahap Lubis Simanjuntak Sitompul Hutapea Manurung Sembiring Ginting Tarigan
Batubara Daulay Pane Tanjung Panjaitan Pardede Silalahi Sinaga Situmorang Simatupang Hutagalung Pasaribu
Napitupulu Damanik Purba Saragih Sihombing Tambunan Marpaung Sianturi Hasibuan Rangkuti Pulungan Matondang
Halim Tanoto Salim Wirawan Hartono Kosasih Sutanto Tjahjadi Liem Gozali Darmawan Hendrawan Prasetya Sulistyo
Wardoyo Suharto Sudirman Sukarno Hatta Sjahrir Surbakti Tampubolon Lumbantobing Sirait Sagala Butarbutar
Mandagi Lumenta Pangemanan Rumengan Sumampouw Tumbelaka Wowor Lontoh Runtuwene Rorimpandey Sondakh Pattiasina
Latumahina Pattimura Tuhumury Lekatompessy Manuhutu Siahaya Wattimena Tahitu Nanlohy Rumahorbo Rahardjo
Adiputra Wiranata Mahendra Permana Kusnadi Hermawan Iskandar Effendi Rusdi Syarifuddin Hamzah Anwar Baharudin
Nurdin Ismail Yunus Rasyid Zainuddin Arifin Habibie Alatas Assegaf Alkatiri Basalamah Bafadal Shahab Aljufri
Sanjaya Wijayakusuma Hadiwijaya Cahyadi Mulyadi Suparno Sumantri Sudrajat Supriatna Sobari Rukmana Somantri
""".split()

STREETS = ["Merdeka", "Sudirman", "Thamrin", "Diponegoro", "Gatot Subroto", "Ahmad Yani", "Pahlawan", "Kenanga",
           "Melati", "Mawar", "Kebon Jeruk", "Kemanggisan", "Palmerah", "Tanjung Duren", "Cempaka", "Haji Nawi",
           "Raya Bogor", "Pasar Minggu", "Kramat", "Salemba", "Cikini", "Menteng Raya", "Mangga Besar", "Hayam Wuruk"]
